/**
 * Exit codes per day from the 30-day stopped-task history: how a service has been dying (OOM
 * kills are 137, SIGKILL after a stop timeout too; 1 is an error exit; 0 a clean stop).
 * Browser-safe.
 */
import type { HistoricalStop } from './schemas/history';

export type ExitClass = 'oom' | 'error' | 'clean' | 'other' | 'none';

export const EXIT_CLASSES: { key: ExitClass; label: string }[] = [
  { key: 'oom', label: '137 (killed: out of memory, or stop timeout)' },
  { key: 'error', label: 'error exit (non-zero)' },
  { key: 'other', label: 'failed to start (no exit code)' },
  { key: 'clean', label: '0 (clean stop, replaced)' },
];

/** How a stopped task ended: by its essential container's (the first) exit code. */
export function exitClass(stop: Pick<HistoricalStop, 'containers' | 'stopCode'>): ExitClass {
  const code = stop.containers.find((c) => c.exitCode !== null)?.exitCode ?? null;
  if (code === null) return stop.stopCode === 'TaskFailedToStart' ? 'other' : 'none';
  if (code === 137) return 'oom';
  if (code === 0) return 'clean';
  return 'error';
}

export type DayOfStops = { day: string; counts: Record<ExitClass, number>; total: number };

/** The last `days` days (UTC), oldest first, with each day's stops by exit class. */
export function stopsPerDay(stops: HistoricalStop[], now: number, days = 30): DayOfStops[] {
  const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const today = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate());
  const result: DayOfStops[] = Array.from({ length: days }, (_, i) => ({
    day: dayOf(today - (days - 1 - i) * 86_400_000),
    counts: { oom: 0, error: 0, clean: 0, other: 0, none: 0 },
    total: 0,
  }));
  const byDay = new Map(result.map((d) => [d.day, d]));
  for (const stop of stops) {
    const day = byDay.get(dayOf(Date.parse(stop.stoppedAt)));
    if (!day) continue;
    day.counts[exitClass(stop)]++;
    day.total++;
  }
  return result;
}
