/**
 * TanStack Query keys for an environment's live data, one per snapshot part: they mirror
 * lib/keys.ts's cache names, so a part re-renders only when its own data changed.
 */
export const SNAPSHOT_PARTS = ['ecs', 'targets', 'queues', 'metrics', 'scaling', 'images', 'parameters', 'deployRuns'] as const;
export type SnapshotPart = (typeof SNAPSHOT_PARTS)[number];

export const queryKeys = {
  part: (env: string, part: SnapshotPart) => ['environment', env, part] as const,
  environment: (env: string) => ['environment', env, 'environment'] as const,
  /** The status decided with the snapshot (lib/status.ts). */
  status: (env: string) => ['environment', env, 'status'] as const,
  /** The whole snapshot, for what reads every part (the overview's card). */
  snapshot: (env: string) => ['environment', env, 'snapshot'] as const,
};
