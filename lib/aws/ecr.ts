import 'server-only';
import { DescribeImagesCommand, ECRClient, paginateDescribeImages } from '@aws-sdk/client-ecr';
import type { Environment } from '../environments';
import { SERVICE_ROLES } from '../../contracts/platform';
import { clientFor } from './clients';
import { awsCall } from './errors';
import { RepositoryImagesSchema, type Image, type RepositoryImages } from '../../model/schemas/ecr';

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

/** Whether every service's repository has an image with this tag (a deploy of a tag needs both). */
export async function imageTagExists(
  env: Environment,
  tag: string,
  client: ECRClient = ecrClient(env),
): Promise<boolean> {
  const found = await Promise.all(
    SERVICE_ROLES.map((role) =>
      awsCall('ECR', 'DescribeImages', () =>
        client.send(
          new DescribeImagesCommand({ repositoryName: env.ecr.repositories[role], imageIds: [{ imageTag: tag }] }),
        ),
      ).then(
        (r) => (r.imageDetails?.length ?? 0) > 0,
        (err: unknown) => {
          // ECR answers ImageNotFoundException for a tag it does not have.
          if (/ImageNotFound/.test(String((err as Error).cause ?? err)) || /ImageNotFound/.test((err as Error).message))
            return false;
          throw err;
        },
      ),
    ),
  );
  return found.every(Boolean);
}
