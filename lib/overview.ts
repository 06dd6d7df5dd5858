import 'server-only';
import { hasRole, type Roles } from './access';
import { listEnvironments } from './environments';
import type { ErrorInfo } from '../model/errors';
import { snapshotParts } from '../model/schemas/snapshot';
import { getEnvironmentSnapshotForPage, type EnvironmentSnapshot } from './snapshot';

/** The snapshot of every environment the person may see, through the shared cache: what the overview shows. */
export async function getOverview(roles: Roles): Promise<EnvironmentSnapshot[]> {
  const visible = listEnvironments().filter((env) => hasRole(roles, env.name, 'viewer'));
  return Promise.all(visible.map((env) => getEnvironmentSnapshotForPage(env)));
}

/** The shared cache's failure, if any part of any environment met it: shown once, above everything. */
export function sharedCacheError(snapshots: EnvironmentSnapshot[]): ErrorInfo | null {
  for (const snapshot of snapshots) {
    for (const { part } of snapshotParts(snapshot)) {
      if (part.sharedCacheError) return part.sharedCacheError;
    }
  }
  return null;
}
