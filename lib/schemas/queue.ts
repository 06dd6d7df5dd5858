/** The queue DTOs: plain zod schemas, browser-safe (no server-only), so live payloads are checked in the browser too. */
import { z } from 'zod';

export const QueueStatsSchema = z.object({
  name: z.string(),
  counts: z.object({
    waiting: z.number().int(),
    active: z.number().int(),
    delayed: z.number().int(),
    prioritized: z.number().int(),
    waitingChildren: z.number().int(),
    completed: z.number().int(),
    failed: z.number().int(),
  }),
  paused: z.boolean(),
  /** Age of the job that has waited longest, null when none waits. */
  oldestWaitingAgeMs: z.number().nullable(),
  /** Jobs per minute over the last THROUGHPUT_MINUTES full minutes, oldest first. */
  completedPerMinute: z.array(z.number()),
  failedPerMinute: z.array(z.number()),
});

export type QueueStats = z.infer<typeof QueueStatsSchema>;

export const FailedJobSchema = z.object({
  id: z.string(),
  name: z.string(),
  failedReason: z.string(),
  attemptsMade: z.number().int(),
  failedAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});

export type FailedJob = z.infer<typeof FailedJobSchema>;
