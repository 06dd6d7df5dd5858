import 'server-only';
import { GetObjectCommand, ListObjectsV2Command, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Environment } from '../environments';
import { JobEvidenceSchema, type JobEvidenceView } from '../../contracts/evidence';
import { clientFor } from './clients';
import { awsCall } from './errors';

/** Links to a failure screenshot or trace live this long: enough to open them, too short to pass around. */
export const EVIDENCE_LINK_SECONDS = 300;
/** Attempts shown: a job has at most a few (DEFAULT_JOB_OPTIONS). */
const MAX_KEYS = 100;

/** The emulator serves buckets by path, not by virtual host. */
class JobArtifactsClient extends S3Client {
  constructor(config: S3ClientConfig) {
    super({ ...config, forcePathStyle: Boolean(config.endpoint) });
  }
}

export function s3Client(env: Environment): S3Client {
  return clientFor(JobArtifactsClient, env);
}

/**
 * What a failed browser job left in jobs/{id}/ (worker/evidence.ts), per attempt, newest first:
 * the evidence record, and short-lived presigned links to its screenshot and trace. Only the
 * page of a signed-in viewer asks for these; nothing here is public.
 */
export async function listJobEvidence(
  env: Environment,
  jobId: string,
  client: S3Client = s3Client(env),
): Promise<JobEvidenceView[]> {
  const bucket = env.artifacts?.bucket;
  if (!bucket) return [];
  const prefix = `jobs/${jobId}/attempt-`;
  const listed = await awsCall('S3', 'ListObjectsV2', () =>
    client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: MAX_KEYS })),
  );
  const keys = (listed.Contents ?? []).map((o) => o.Key!).filter(Boolean);
  const attempts = keys.filter((k) => k.endsWith('/evidence.json'));
  const views = await Promise.all(
    attempts.map(async (key): Promise<JobEvidenceView | null> => {
      const object = await awsCall('S3', 'GetObject', () =>
        client.send(new GetObjectCommand({ Bucket: bucket, Key: key })),
      );
      let json: unknown;
      try {
        json = JSON.parse((await object.Body?.transformToString()) ?? '{}');
      } catch {
        return null; // one unreadable record does not hide the others
      }
      const parsed = JobEvidenceSchema.safeParse(json);
      if (!parsed.success) return null;
      const dir = key.slice(0, -'evidence.json'.length);
      const link = async (name: string, contentType: string, download?: string) =>
        keys.includes(`${dir}${name}`)
          ? getSignedUrl(
              client,
              new GetObjectCommand({
                Bucket: bucket,
                Key: `${dir}${name}`,
                ResponseContentType: contentType,
                ResponseContentDisposition: download ? `attachment; filename="${download}"` : undefined,
              }),
              { expiresIn: EVIDENCE_LINK_SECONDS },
            )
          : null;
      return {
        ...parsed.data,
        screenshotUrl: await link('failure.png', 'image/png'),
        traceUrl: await link('trace.zip', 'application/zip', `trace-${jobId}-attempt-${parsed.data.attempt}.zip`),
      };
    }),
  );
  return views.filter((v): v is JobEvidenceView => v !== null).sort((a, b) => b.attempt - a.attempt);
}
