import 'server-only';
import { imageTagExists } from './aws/ecr';
import type { Environment } from './environments';
import { AppError } from '../model/errors';
import { compareRefs, resolveCommit } from './github';
import type { DeployPreview } from '../model/schemas/github';
import { getServiceDetail } from './service-detail';
import { getEnvironmentSnapshot } from './snapshot';
import { type DeployInput } from '../model/schemas/actions';

/**
 * What deploying `ref` (optionally as an existing image) would change: the commits between the
 * commit that runs now (the api service's image tag, a SHA as deploy.yml tags images) and the
 * ref, and whether the image the workflow would run is already in ECR (else it builds one).
 * Reads what runs through the shared cache; GitHub and ECR are asked each time (an operator
 * about to deploy wants now, not a minute ago).
 */
export async function previewDeploy(env: Environment, input: DeployInput): Promise<DeployPreview> {
  const snapshot = await getEnvironmentSnapshot(env);
  const api = snapshot.ecs.value?.services.find((s) => s.role === 'api');
  const running = api?.taskDefinition ?? null;
  const revisions = running ? (await getServiceDetail(env, 'api', running.family)).revisions.value : null;
  const liveTag = revisions?.find((r) => r.revision === running?.revision)?.containers[0]?.tag ?? null;

  const sha = await resolveCommit(env, input.ref);
  if (!sha)
    throw new AppError(
      'invalid_input',
      `GitHub knows no branch, tag or commit ${JSON.stringify(input.ref)} in ${env.github.owner}/${env.github.repo}`,
    );
  const imageTag = input.imageTag ?? sha;
  const [comparison, exists] = await Promise.all([
    liveTag ? compareRefs(env, liveTag, sha) : Promise.resolve(null),
    imageTagExists(env, imageTag),
  ]);
  const comparisonProblem = !liveTag
    ? `the running revision's image tag is not known (ECS ${snapshot.ecs.error ? `failed: ${snapshot.ecs.error.message}` : 'has no api revision'})`
    : !comparison
      ? `the running image's tag ${liveTag.slice(0, 12)} is not a commit GitHub knows`
      : null;
  return {
    ref: input.ref,
    sha,
    live: { imageTag: liveTag, revision: running?.revision ?? null },
    comparison,
    comparisonProblem,
    image: { tag: imageTag, exists },
  };
}
