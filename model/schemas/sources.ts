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
import { EnvironmentHistorySchema } from './history';
import { TopErrorsSchema } from './log-errors';
import { AuditRecordSchema } from './audit';
import { DeployRunSchema } from './github';
import { QueueStatsSchema } from './queue';
import { ParameterStatusSchema } from './ssm';

/** A change of the environment's status, as the refresher and the cron recorded it (newest first). */
export const StatusChangeSchema = z.object({
  at: z.number().int(),
  from: z.string().nullable(),
  to: z.enum(['healthy', 'degraded', 'down']),
  reasons: z.array(z.string()),
});

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

/** A cache policy in seconds: fresh for `ttl`, an older value still shown for `maxStale` (while it refreshes, or its source fails). */
const keep = (ttl: number, maxStale: number): CachePolicy => ({ ttlMs: ttl * 1_000, maxStaleMs: maxStale * 1_000 });

// Scaling and health move in seconds; images and parameters change with deploys.
export const SNAPSHOT_SOURCES = {
  ecs: { label: 'ECS', schema: EcsPartSchema, policy: keep(5, 600), page: 'waits' },
  targets: { label: 'ALB targets', schema: LoadBalancerHealthSchema, policy: keep(5, 600), page: 'waits' },
  queues: { label: 'queues', schema: z.array(QueueStatsSchema), policy: keep(2, 300), page: 'waits' },
  metrics: { label: 'metrics', schema: EnvironmentMetricsSchema, policy: keep(60, 1_800), page: 'grace' },
  scaling: { label: 'scaling', schema: EnvironmentScalingSchema, policy: keep(30, 1_800), page: 'grace' },
  images: { label: 'images', schema: RepositoryImagesSchema, policy: keep(60, 3_600), page: 'grace' },
  parameters: { label: 'parameters', schema: z.array(ParameterStatusSchema), policy: keep(300, 3_600), page: 'grace' },
  deployRuns: { label: 'deploys', schema: z.array(DeployRunSchema), policy: keep(15, 1_800), page: 'grace' },
  // ECS's events, kept 30 days in a log group: what stopped and which deployments changed, after ECS forgets.
  // When the status last changed (lib/status-alerts.ts): when the trouble began, and whether it was healthy since a change.
  statusChanges: {
    label: 'status history',
    schema: z.array(StatusChangeSchema),
    policy: keep(5, 600),
    page: 'grace',
  },
  // What operators did here lately (the audit stream): suspects when something breaks.
  actions: { label: 'operator actions', schema: z.array(AuditRecordSchema), policy: keep(5, 600), page: 'grace' },
  // One Logs Insights query per minute, whoever is watching: the last 15 minutes' error lines, grouped.
  topErrors: { label: 'top errors', schema: TopErrorsSchema, policy: keep(60, 900), page: 'grace' },
  history: { label: 'stopped-task history', schema: EnvironmentHistorySchema, policy: keep(15, 3_600), page: 'grace' },
} as const satisfies Record<string, Source>;

export type SourceName = keyof typeof SNAPSHOT_SOURCES;
export const SOURCE_NAMES = Object.keys(SNAPSHOT_SOURCES) as SourceName[];
/** A source's value, as its schema gives it. */
export type SourceValue<N extends SourceName> = z.infer<(typeof SNAPSHOT_SOURCES)[N]['schema']>;
