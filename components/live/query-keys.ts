import type { SourceName } from '@/model/schemas/sources';

/**
 * TanStack Query keys for an environment's live data, one per source of the snapshot
 * (model/schemas/sources.ts), so a part re-renders only when its own data changed.
 */
export const queryKeys = {
  part: (env: string, part: SourceName) => ['environment', env, part] as const,
  environment: (env: string) => ['environment', env, 'environment'] as const,
  /** The status decided with the snapshot (model/status.ts). */
  status: (env: string) => ['environment', env, 'status'] as const,
  /** The whole snapshot, for what reads every part (the overview's card). */
  snapshot: (env: string) => ['environment', env, 'snapshot'] as const,
};

/**
 * The source parts of a snapshot, read off the snapshot itself: importing the sources table
 * would bring zod into the first load (the live message schema is loaded with the stream).
 */
export function sourceNamesOf(snapshot: object): SourceName[] {
  return Object.keys(snapshot).filter((key) => key !== 'environment' && key !== 'status') as SourceName[];
}
