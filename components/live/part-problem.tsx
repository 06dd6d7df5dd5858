'use client';
import type { ErrorInfo } from '@/model/errors';
import { formatDuration } from '../format';
import { useNow } from '../time';
import { SharedCacheDown } from '../ui';
import { useLive, useSnapshot } from './live-environment';
import { sourceNamesOf } from './query-keys';

/** A value read for a panel: possibly old (its age), possibly with the error of the last read. */
export type PartValue<T> = { value: T | null; error: ErrorInfo | null; ageMs: number | null };

/** A part whose source failed: its error, and how old the value still shown is. Never silent. */
export function PartProblem({ name, part }: { name: string; part: PartValue<unknown> }) {
  const { at } = useLive();
  const now = useNow();
  if (!part.error) return null;
  const age = part.ageMs === null ? null : part.ageMs + Math.max(0, now - Date.parse(at));
  return (
    <p role="alert" data-part-error={name} className="px-4 pt-3 text-sm text-rose-700 dark:text-rose-300">
      {name}: {part.error.message}
      {part.value !== null && age !== null && (
        <>
          {' '}
          (showing data from <span suppressHydrationWarning>{formatDuration(age)}</span> ago)
        </>
      )}
      {part.error.requestId && <span className="opacity-80"> · request id {part.error.requestId}</span>}
    </p>
  );
}

/** The page-wide notice while the shared cache (Redis) is down, following the live snapshot. */
export function SharedCacheNotice() {
  const snapshot = useSnapshot();
  const error = sourceNamesOf(snapshot)
    .map((part) => snapshot[part].sharedCacheError)
    .find((e) => e !== null);
  return error ? <SharedCacheDown message={error.message} /> : null;
}
