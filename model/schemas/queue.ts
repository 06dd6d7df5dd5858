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
  /** Workers connected to the queue (BullMQ's worker list, from CLIENT LIST); null where the server lists no clients. */
  workers: z.number().int().nullable(),
  /** Jobs finished so far (completed + failed), BullMQ's metrics counters; null when the worker keeps no metrics. */
  finishedTotal: z.number().nullable(),
  /** Arrival and finish rates over the last minutes (lib/queue-rates.ts); null until samples span long enough. */
  rates: z
    .object({ arrivedPerMinute: z.number(), finishedPerMinute: z.number(), windowSeconds: z.number() })
    .nullable(),
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

/** Failed jobs with the same message, so one cause reads as one line with its count. */
export const FailureGroupSchema = z.object({
  message: z.string(),
  count: z.number().int(),
  latestAt: z.iso.datetime().nullable(),
  sampleJobId: z.string(),
});

export type FailureGroup = z.infer<typeof FailureGroupSchema>;

/** One job as the job page shows it; its data and result are cut to JOB_TEXT_LIMIT characters. */
export const JobDetailSchema = z.object({
  id: z.string(),
  name: z.string(),
  state: z.string(),
  attemptsMade: z.number().int(),
  data: z.string(),
  returnValue: z.string().nullable(),
  failedReason: z.string().nullable(),
  stacktrace: z.array(z.string()),
  createdAt: z.iso.datetime(),
  processedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  /** The job's own log lines (job.log), the last JOB_LOG_LINES. */
  logs: z.array(z.string()),
  logCount: z.number().int(),
});

export type JobDetail = z.infer<typeof JobDetailSchema>;
