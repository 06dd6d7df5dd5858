import 'server-only';
import { waitUntil } from '@vercel/functions';
import { z } from 'zod';
import { describeScaling, EnvironmentScalingSchema } from './aws/autoscaling';
import { EnvironmentMetricsSchema, getEnvironmentMetrics, getQueueDepthMetrics, type EnvironmentMetrics } from './aws/cloudwatch';
import { listImages, RepositoryImagesSchema } from './aws/ecr';
import { describeEnvironmentServices } from './aws/ecs';
import { describeLoadBalancerHealth, LoadBalancerHealthSchema } from './aws/elb';
import { describeParameters, ParameterStatusSchema } from './aws/ssm';
import { createCache, type Cache, type CachePolicy, type Cached } from './cache';
import { environmentColour, type Environment } from './environments';
import { toErrorInfo } from './errors';
import { EcsPartSchema, type EnvironmentSnapshot, type SnapshotParts } from './schemas/snapshot';
import { environmentStatus } from './status';
import { cacheNames } from './keys';
import { DeployRunSchema, listDeployRuns } from './github';
import { getQueueStats, QueueStatsSchema } from './queue';
import { withRates } from './queue-rates';
import { log } from './log';
import { getRedis } from './redis';

/**
 * How long each kind of data is fresh, and how long a stale copy may still be shown while
 * it refreshes (or while its source is down). Scaling and health move in seconds; images
 * and parameters change with deploys.
 */
export const CACHE_POLICIES = {
  ecs: { ttlMs: 5_000, maxStaleMs: 10 * 60_000 },
  targets: { ttlMs: 5_000, maxStaleMs: 10 * 60_000 },
  queues: { ttlMs: 2_000, maxStaleMs: 5 * 60_000 },
  metrics: { ttlMs: 60_000, maxStaleMs: 30 * 60_000 },
  scaling: { ttlMs: 30_000, maxStaleMs: 30 * 60_000 },
  images: { ttlMs: 60_000, maxStaleMs: 60 * 60_000 },
  parameters: { ttlMs: 5 * 60_000, maxStaleMs: 60 * 60_000 },
  deployRuns: { ttlMs: 15_000, maxStaleMs: 30 * 60_000 },
} satisfies Record<string, CachePolicy>;

/** The metrics range the environment view charts by default. */
export const DEFAULT_METRICS_RANGE_MINUTES = 180;

export type { EnvironmentSnapshot } from './schemas/snapshot';

/** A part that could not be read at all (a bug, not an outage: the cache reports those itself). */
function failedPart<T>(err: unknown): Cached<T> {
  log.error({ err: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined }, 'snapshot part threw');
  return { value: null, fetchedAt: null, ageMs: null, stale: true, error: toErrorInfo(err), sharedCacheError: null };
}

let defaultCache: Cache | undefined;
/** This process's view of the shared cache (Redis), logging each part's failures. */
export function sharedCache(): Cache {
  defaultCache ??= createCache(getRedis(), {
    // Every failure is in the server log with its code and upstream request id; pages show the message.
    onError: ({ name, kind, error }) => log.warn({ part: name, kind, code: error.code, upstream: error.upstream, requestId: error.requestId, err: error.message }, 'snapshot part failed'),
  });
  return defaultCache;
}

/** One queue's jobs waiting over a range (the queue page), through the shared cache as the charts are. */
export function getQueueDepth(env: Environment, queue: string, rangeMinutes: number, shared: Cache = sharedCache()): Promise<Cached<EnvironmentMetrics>> {
  return shared.get(cacheNames.queueDepth(env.name, queue, rangeMinutes), CACHE_POLICIES.metrics, EnvironmentMetricsSchema, () => getQueueDepthMetrics(env, queue, rangeMinutes));
}

/** The environment's charts over a range, through the shared cache (one GetMetricData per TTL). */
export function getMetrics(env: Environment, rangeMinutes: number, shared: Cache = sharedCache()): Promise<Cached<EnvironmentMetrics>> {
  return shared.get(cacheNames.metrics(env.name, rangeMinutes), CACHE_POLICIES.metrics, EnvironmentMetricsSchema, () => getEnvironmentMetrics(env, rangeMinutes));
}

export type SnapshotOptions = {
  /**
   * For a page: how much longer than ECS, the ALB targets and the queues the others (metrics,
   * scaling, images, parameters, deploy runs) are waited for. Past it, a
   * part still loading comes back pending (no value, no error: its panel's loading state)
   * while its load goes on and fills the cache; the live stream then brings it. Without it,
   * every part is waited for (the refresher, the cron).
   */
  graceMs?: number;
};

/**
 * A page waits for ECS, the ALB targets and the queues (each bounded by the cache's deadline),
 * and for the others at most this much longer: a slow source (a cold GetMetricData, GitHub)
 * never holds back the panels whose sources have answered. The status names what it has not
 * read yet (lib/status.ts `pending`); the live stream brings it.
 */
export const PAGE_GRACE_MS = 500;

/** The snapshot a page renders: ECS, targets and queues, and the others that are in by PAGE_GRACE_MS after them. */
export function getEnvironmentSnapshotForPage(env: Environment): Promise<EnvironmentSnapshot> {
  return getEnvironmentSnapshot(env, sharedCache(), { graceMs: PAGE_GRACE_MS });
}

/**
 * Everything the environment view shows, each part read through the shared cache: AWS and
 * the queues' Redis are called once per part per TTL, however many people are watching.
 * A failed part carries its error (and its last value, if any); the others are unaffected.
 */
export async function getEnvironmentSnapshot(env: Environment, shared: Cache = sharedCache(), options: SnapshotOptions = {}): Promise<EnvironmentSnapshot> {
  const part = <T>(read: Promise<Cached<T>>) => read.catch((err: unknown) => failedPart<T>(err));
  const core = [
    part(shared.get(cacheNames.ecsServices(env.name), CACHE_POLICIES.ecs, EcsPartSchema, () => describeEnvironmentServices(env))),
    part(shared.get(cacheNames.targetHealth(env.name), CACHE_POLICIES.targets, LoadBalancerHealthSchema, () => describeLoadBalancerHealth(env))),
    part(shared.get(cacheNames.queues(env.name), CACHE_POLICIES.queues, z.array(QueueStatsSchema), async () => withRates(env.name, await getQueueStats(env), shared.redis))),
  ] as const;
  // The others: within graceMs of the core parts, or pending while their load goes on. Not
  // when the shared cache fails: the live stream (Redis pub/sub) could not bring them later.
  const coreIn = Promise.all(core);
  const secondary = <T>(read: Promise<Cached<T>>): Promise<Cached<T>> => {
    const settled = part(read);
    const graceMs = options.graceMs;
    if (graceMs === undefined) return settled;
    waitUntil(settled); // the load goes on past a page that stopped waiting: it fills the cache
    const pending = coreIn.then((parts) => parts.some((p) => p.sharedCacheError)
      ? settled
      : Promise.race([settled, new Promise<Cached<T>>((resolve) => {
        const timer = setTimeout(() => resolve({ value: null, fetchedAt: null, ageMs: null, stale: true, error: null, sharedCacheError: null }), graceMs);
        void settled.finally(() => clearTimeout(timer));
      })]));
    return Promise.race([settled, pending]);
  };
  const [ecs, targets, queues, metrics, scaling, images, parameters, deployRuns] = await Promise.all([
    ...core,
    secondary(getMetrics(env, DEFAULT_METRICS_RANGE_MINUTES, shared)),
    secondary(shared.get(cacheNames.scaling(env.name), CACHE_POLICIES.scaling, EnvironmentScalingSchema, () => describeScaling(env))),
    secondary(shared.get(cacheNames.images(env.name), CACHE_POLICIES.images, RepositoryImagesSchema, () => listImages(env))),
    secondary(shared.get(cacheNames.parameters(env.name), CACHE_POLICIES.parameters, z.array(ParameterStatusSchema), () => describeParameters(env))),
    secondary(shared.get(cacheNames.deployRuns(env.name), CACHE_POLICIES.deployRuns, z.array(DeployRunSchema), () => listDeployRuns(env))),
  ]);
  const parts: SnapshotParts = {
    environment: { name: env.name, region: env.aws.region, production: env.production, cluster: env.ecs.cluster, colour: environmentColour(env) },
    ecs,
    targets,
    queues,
    metrics,
    scaling,
    images,
    parameters,
    deployRuns,
  };
  return { ...parts, status: environmentStatus(parts) };
}
