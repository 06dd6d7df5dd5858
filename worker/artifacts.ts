import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { UnrecoverableError } from 'bullmq';
import { MAX_ARTIFACT_BYTES, type Artifact } from '../contracts/jobs.js';

export type ArtifactStore = { put(key: string, body: Uint8Array, contentType: string): Promise<Artifact> };

export function s3ArtifactStore(options: { bucket: string; region: string; endpoint?: string }): ArtifactStore {
  const s3 = new S3Client({
    region: options.region,
    endpoint: options.endpoint,
    // The emulator serves buckets by path, not by virtual host.
    forcePathStyle: Boolean(options.endpoint),
  });
  return {
    async put(key, body, contentType) {
      // The same page gives the same size again: failing for good beats three attempts.
      if (body.byteLength > MAX_ARTIFACT_BYTES) {
        throw new UnrecoverableError(
          `artifact of ${body.byteLength} bytes exceeds the ${MAX_ARTIFACT_BYTES}-byte limit`,
        );
      }
      await s3.send(new PutObjectCommand({ Bucket: options.bucket, Key: key, Body: body, ContentType: contentType }));
      return { bucket: options.bucket, key, bytes: body.byteLength, contentType };
    },
  };
}
