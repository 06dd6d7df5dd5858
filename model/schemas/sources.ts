/**
 * The sources of an environment's snapshot: ONE typed table, and everything else derives from
 * it: the snapshot's schema and type (./snapshot.ts), the cache entries and their policies,
 * what a page waits for, the query keys the browser keeps each part under, and every list of
 * parts (the shared-cache notice, the status's "still reading"). Each source's fetch is the
 * one column that cannot live here: it is server-only, so it sits in lib/snapshot.ts keyed by
 * this table's names, and the compiler refuses a source without one.
 *
 * Adding a source: a row here, its fetch in lib/snapshot.ts, and its panel.
 */
import { z } from 'zod';
import { SERVICE_ROLES } from '../../contracts/platform';
import type { CachePolicy } from './cache';
import { EnvironmentScalingSchema } from './autoscaling';
import { EnvironmentMetricsSchema } from './cloudwatch';
import { RepositoryImagesSchema } from './ecr';
import { ServiceSummarySchema } from './ecs';
import { LoadBalancerHealthSchema } from './elb';
import { DeployRunSchema } from './github';
import { QueueStatsSchema } from './queue';
import { ParameterStatusSchema } from './ssm';

export const EcsPartSchema = z.object({
  services: z.array(ServiceSummarySchema.extend({ role: z.enum(SERVICE_ROLES) })),
  missing: z.array(z.string()),
});

/**
 * How a page treats a source: `waits` for it (bounded by the cache's deadline: the status rests
 * on it), or gives it `grace` (lib/snapshot.ts PAGE_GRACE_MS) past those and renders it as
 * loading if it is not in by then; the live stream brings it.
 */
export type PageTier = 'waits' | 'grace';

type Source = {
  /** What an operator calls it, in errors and in "still reading …". */
  label: string;
  schema: z.ZodType;
  /** How long a value is fresh, and how long a stale one may still be shown (lib/cache.ts). */
  policy: CachePolicy;
  page: PageTier;
};

// Scaling and health move in seconds; images and parameters change with deploys.
export const SNAPSHOT_SOURCES = {
  ecs: { label: 'ECS', schema: EcsPartSchema, policy: { ttlMs: 5_000, maxStaleMs: 10 * 60_000 }, page: 'waits' },
  targets: {
    label: 'ALB targets',
    schema: LoadBalancerHealthSchema,
    policy: { ttlMs: 5_000, maxStaleMs: 10 * 60_000 },
    page: 'waits',
  },
  queues: {
    label: 'queues',
    schema: z.array(QueueStatsSchema),
    policy: { ttlMs: 2_000, maxStaleMs: 5 * 60_000 },
    page: 'waits',
  },
  metrics: {
    label: 'metrics',
    schema: EnvironmentMetricsSchema,
    policy: { ttlMs: 60_000, maxStaleMs: 30 * 60_000 },
    page: 'grace',
  },
  scaling: {
    label: 'scaling',
    schema: EnvironmentScalingSchema,
    policy: { ttlMs: 30_000, maxStaleMs: 30 * 60_000 },
    page: 'grace',
  },
  images: {
    label: 'images',
    schema: RepositoryImagesSchema,
    policy: { ttlMs: 60_000, maxStaleMs: 60 * 60_000 },
    page: 'grace',
  },
  parameters: {
    label: 'parameters',
    schema: z.array(ParameterStatusSchema),
    policy: { ttlMs: 5 * 60_000, maxStaleMs: 60 * 60_000 },
    page: 'grace',
  },
  deployRuns: {
    label: 'deploys',
    schema: z.array(DeployRunSchema),
    policy: { ttlMs: 15_000, maxStaleMs: 30 * 60_000 },
    page: 'grace',
  },
} as const satisfies Record<string, Source>;

export type SourceName = keyof typeof SNAPSHOT_SOURCES;
export const SOURCE_NAMES = Object.keys(SNAPSHOT_SOURCES) as SourceName[];
/** A source's value, as its schema gives it. */
export type SourceValue<N extends SourceName> = z.infer<(typeof SNAPSHOT_SOURCES)[N]['schema']>;
