import 'server-only';
import type { Redis } from 'ioredis';
import { keys } from '../contracts/keys';
import type { QueueStats } from '../model/schemas/queue';

/**
 * Arrival and finish rates per queue, which BullMQ does not keep: each refresh of the queue
 * part (one refresher per environment, lib/live.ts) stores the counters it read as a sample,
 * and the rate is the difference to the oldest sample of the last RATE_WINDOW_MS.
 * - finished: BullMQ's cumulative metrics counters (completed + failed);
 * - arrived: finished plus the change in jobs still in the queue (waiting, active, delayed,
 *   prioritized, waiting for children); custom job ids (the api's) make the id counter useless.
 * A sample is a few hundred bytes; the key expires when nobody watches.
 */
export const RATE_WINDOW_MS = 5 * 60_000;
/** Fewer seconds than this between samples says too little to call a rate. */
export const RATE_MIN_WINDOW_MS = 20_000;

type Sample = { t: number; q: Record<string, [inQueue: number, finished: number | null]> };

export function jobsInQueue(stats: QueueStats): number {
  const c = stats.counts;
  return c.waiting + c.active + c.delayed + c.prioritized + c.waitingChildren;
}

/** The stats with `rates` filled where the samples allow; without them (Redis failing) unchanged. */
export async function withRates(
  env: string,
  stats: QueueStats[],
  redis: Redis,
  now = Date.now(),
): Promise<QueueStats[]> {
  const key = keys.queueSamples(env);
  const sample: Sample = {
    t: now,
    q: Object.fromEntries(stats.map((s) => [s.name, [jobsInQueue(s), s.finishedTotal]])),
  };
  let base: Sample | null = null;
  try {
    const results = await redis
      .multi()
      .zadd(key, now, JSON.stringify(sample))
      .zremrangebyscore(key, '-inf', now - 2 * RATE_WINDOW_MS)
      .zrangebyscore(key, now - RATE_WINDOW_MS, now - RATE_MIN_WINDOW_MS, 'LIMIT', 0, 1)
      .pexpire(key, 2 * RATE_WINDOW_MS)
      .exec();
    const oldest = (results?.[2]?.[1] as string[] | undefined)?.[0];
    base = oldest ? (JSON.parse(oldest) as Sample) : null;
  } catch {
    return stats; // rates are an extra: the counts stand without them
  }
  if (!base) return stats;
  const minutes = (now - base.t) / 60_000;
  return stats.map((s) => {
    const before = base.q[s.name];
    if (!before || s.finishedTotal === null) return s;
    // BullMQ creates its counters with the first finished job: absent before means zero.
    const finished = s.finishedTotal - (before[1] ?? 0);
    if (finished < 0) return s; // the metrics were reset (a queue obliterated): no rate this window
    const arrived = Math.max(0, jobsInQueue(s) - before[0] + finished);
    return {
      ...s,
      rates: {
        arrivedPerMinute: arrived / minutes,
        finishedPerMinute: finished / minutes,
        windowSeconds: Math.round(minutes * 60),
      },
    };
  });
}
