/** The cloudwatch DTOs: plain zod schemas, browser-safe (no server-only), so live payloads are checked in the browser too. */
import { z } from 'zod';

/** Every series the environment view charts, fetched with ONE GetMetricData call. */
export const SERIES = [
  'api_cpu',
  'api_memory',
  'worker_cpu',
  'worker_memory',
  'requests',
  'target_5xx',
  'latency_p50',
  'latency_p99',
  'healthy_hosts',
  'unhealthy_hosts',
] as const;
/** What the timeline adds, in the same one call: the queue (as the worker publishes it) and the tasks. */
export const TIMELINE_SERIES = [
  'queue_backlog',
  'queue_oldest_age',
  'api_running',
  'api_desired',
  'worker_running',
  'worker_desired',
] as const;
/** The queue page's: one queue's jobs waiting (Pilothouse/QueueBacklog with its Queue dimension). */
export const QUEUE_SERIES = ['queue_depth'] as const;
export type SeriesId = (typeof SERIES)[number] | (typeof TIMELINE_SERIES)[number] | (typeof QUEUE_SERIES)[number];

/**
 * Columns, as GetMetricData answers and uPlot draws: value i is the period starting at
 * `start + i * periodSeconds`, null where CloudWatch has no datapoint. A page carries all
 * series of a range, and every live message carries the default range's, so this stays small
 * (about 6 bytes a point, against 40 for {t: ISO time, v} objects).
 */
export const MetricSeriesSchema = z.object({
  id: z.enum([...SERIES, ...TIMELINE_SERIES, ...QUEUE_SERIES]),
  label: z.string(),
  unit: z.string(),
  values: z.array(z.number().nullable()),
});

export const EnvironmentMetricsSchema = z.object({
  rangeMinutes: z.number().int(),
  periodSeconds: z.number().int().positive(),
  /** Epoch seconds of the first period. */
  start: z.number().int(),
  series: z.array(MetricSeriesSchema),
});

export type EnvironmentMetrics = z.infer<typeof EnvironmentMetricsSchema>;
