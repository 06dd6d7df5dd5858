import 'server-only';
import { listEnvironments } from './environments';
import { getEnvironmentSnapshot, type EnvironmentSnapshot } from './snapshot';

/** Every environment's snapshot, through the shared cache: what the overview shows. */
export async function getOverview(): Promise<EnvironmentSnapshot[]> {
  return Promise.all(listEnvironments().map((env) => getEnvironmentSnapshot(env)));
}
