/**
 * Which GitHub deploy run made which task definition revision: the deploy workflow tags
 * images with the full commit SHA (or the image tag it was given), and the revision's
 * container image carries that tag. Browser-safe.
 */
import type { TaskDefinitionRevision } from './schemas/ecs';
import type { DeployRun } from './schemas/github';

/** True when the revision runs the image the run deployed. */
export function revisionFromRun(revision: TaskDefinitionRevision, run: DeployRun): boolean {
  const wanted = run.imageTag ?? run.sha;
  return revision.containers.some(
    (c) => c.tag !== null && (c.tag === wanted || (c.tag.length >= 7 && wanted.startsWith(c.tag))),
  );
}
