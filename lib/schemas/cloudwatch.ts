/** The cloudwatch DTOs: plain zod schemas, browser-safe (no server-only), so live payloads are checked in the browser too. */
import { z } from 'zod';

/** Every series the environment view charts, fetched with ONE GetMetricData call. */
export const SERIES = [
  'api_cpu', 'api_memory', 'worker_cpu', 'worker_memory',
  'requests', 'target_5xx', 'latency_p50', 'latency_p99', 'healthy_hosts', 'unhealthy_hosts',
] as const;
export type SeriesId = (typeof SERIES)[number];

export const MetricSeriesSchema = z.object({
  id: z.enum(SERIES),
  label: z.string(),
  unit: z.string(),
  points: z.array(z.object({ t: z.iso.datetime(), v: z.number() })),
});

export const EnvironmentMetricsSchema = z.object({
  rangeMinutes: z.number().int(),
  periodSeconds: z.number().int(),
  series: z.array(MetricSeriesSchema),
});

export type EnvironmentMetrics = z.infer<typeof EnvironmentMetricsSchema>;
