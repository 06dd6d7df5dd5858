import 'server-only';
import { ECRClient, paginateDescribeImages } from '@aws-sdk/client-ecr';
import type { Environment } from '../environments';
import { SERVICE_ROLES } from '../platform';
import { clientFor } from './clients';
import { awsCall } from './errors';
import { RepositoryImagesSchema, type Image, type RepositoryImages } from '../schemas/ecr';
export { ImageSchema, RepositoryImagesSchema, type Image, type RepositoryImages } from '../schemas/ecr';

export function ecrClient(env: Environment): ECRClient {
  return clientFor(ECRClient, env);
}

/** Each service's images, newest first: what a deploy or rollback can pick. */
export async function listImages(env: Environment, client: ECRClient = ecrClient(env)): Promise<RepositoryImages> {
  const entries = await Promise.all(
    SERVICE_ROLES.map(async (role) => {
      const repository = env.ecr.repositories[role];
      const images: Image[] = [];
      await awsCall('ECR', 'DescribeImages', async () => {
        for await (const page of paginateDescribeImages({ client }, { repositoryName: repository })) {
          for (const d of page.imageDetails ?? []) {
            images.push({
              digest: d.imageDigest ?? 'unknown',
              tags: d.imageTags ?? [],
              pushedAt: d.imagePushedAt?.toISOString() ?? null,
              sizeBytes: d.imageSizeInBytes ?? null,
            });
          }
        }
      });
      images.sort((a, b) => (b.pushedAt ?? '').localeCompare(a.pushedAt ?? ''));
      return [role, { repository, images }] as const;
    }),
  );
  return RepositoryImagesSchema.parse(Object.fromEntries(entries));
}
