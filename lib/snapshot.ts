import 'server-only';
import { waitUntil } from '@vercel/functions';
import type { z } from 'zod';
import { describeScaling } from './aws/autoscaling';
import { getEnvironmentMetrics, getQueueDepthMetrics } from './aws/cloudwatch';
import { listImages } from './aws/ecr';
import { describeEnvironmentServices } from './aws/ecs';
import { describeLoadBalancerHealth } from './aws/elb';
import { describeParameters } from './aws/ssm';
import { createCache, type Cache, type Cached } from './cache';
import { readEnvironmentHistory } from './ecs-history';
import { readTopErrors } from './log-errors';
import { recentActions, RECENT_ACTIONS_MS } from './audit';
import { readStatusHistory } from './status-alerts';
import { environmentColour, type Environment } from './environments';
import { toErrorInfo } from '../model/errors';
import { type EnvironmentSnapshot, type SnapshotParts } from '../model/schemas/snapshot';
import { SNAPSHOT_SOURCES, SOURCE_NAMES, type SourceName, type SourceValue } from '../model/schemas/sources';
import { environmentStatus } from '../model/status';
import { cacheNames } from '../contracts/keys';
import { listDeployRuns } from './github';
import { getQueueStats } from './queue';
import { withRates } from './queue-rates';
import { log } from './log';
import { getRedis } from './redis';
import { EnvironmentMetricsSchema, type EnvironmentMetrics } from '../model/schemas/cloudwatch';

/** The metrics range the environment view charts by default. */
export const DEFAULT_METRICS_RANGE_MINUTES = 180;

/**
 * Each source's fetch: the server-only column of the sources table (model/schemas/sources.ts),
 * keyed by its names, so a source without a fetch does not compile.
 */
const SOURCE_FETCHES: { [N in SourceName]: (env: Environment, shared: Cache) => Promise<SourceValue<N>> } = {
  ecs: (env) => describeEnvironmentServices(env),
  targets: (env) => describeLoadBalancerHealth(env),
  queues: async (env, shared) => withRates(env.name, await getQueueStats(env), shared.redis),
  metrics: (env) => getEnvironmentMetrics(env, DEFAULT_METRICS_RANGE_MINUTES),
  scaling: (env) => describeScaling(env),
  images: (env) => listImages(env),
  parameters: (env) => describeParameters(env),
  deployRuns: (env) => listDeployRuns(env),
  history: (env) => readEnvironmentHistory(env),
  topErrors: (env) => readTopErrors(env),
  actions: (env) => recentActions(env),
  statusChanges: (env) => readStatusHistory(getRedis(), env.name, Date.now() - RECENT_ACTIONS_MS, 50),
};

/** One source of one environment, through the shared cache under its table row's policy. */
export function readSource<N extends SourceName>(
  env: Environment,
  name: N,
  shared: Cache = sharedCache(),
): Promise<Cached<SourceValue<N>>> {
  const source = SNAPSHOT_SOURCES[name];
  // TypeScript cannot narrow the union of row schemas by a generic name: the row is the one for N.
  return shared.get(
    cacheNames.source(env.name, name),
    source.policy,
    source.schema as unknown as z.ZodType<SourceValue<N>>,
    () => SOURCE_FETCHES[name](env, shared),
  );
}

export type { EnvironmentSnapshot } from '../model/schemas/snapshot';

/** A part that could not be read at all (a bug, not an outage: the cache reports those itself). */
function failedPart<T>(err: unknown): Cached<T> {
  log.error(
    { err: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined },
    'snapshot part threw',
  );
  return { value: null, fetchedAt: null, ageMs: null, stale: true, error: toErrorInfo(err), sharedCacheError: null };
}

let defaultCache: Cache | undefined;
/** This process's view of the shared cache (Redis), logging each part's failures. */
export function sharedCache(): Cache {
  defaultCache ??= createCache(getRedis(), {
    // Every failure is in the server log with its code and upstream request id; pages show the message.
    onError: ({ name, kind, error }) =>
      log.warn(
        {
          part: name,
          kind,
          code: error.code,
          upstream: error.upstream,
          requestId: error.requestId,
          err: error.message,
        },
        'snapshot part failed',
      ),
  });
  return defaultCache;
}

/** One queue's jobs waiting over a range (the queue page), through the shared cache as the charts are. */
export function getQueueDepth(
  env: Environment,
  queue: string,
  rangeMinutes: number,
  shared: Cache = sharedCache(),
): Promise<Cached<EnvironmentMetrics>> {
  return shared.get(
    cacheNames.queueDepth(env.name, queue, rangeMinutes),
    SNAPSHOT_SOURCES.metrics.policy,
    EnvironmentMetricsSchema,
    () => getQueueDepthMetrics(env, queue, rangeMinutes),
  );
}

/** The environment's charts over a range, through the shared cache (one GetMetricData per TTL); the default range is the snapshot's own. */
export function getMetrics(
  env: Environment,
  rangeMinutes: number,
  shared: Cache = sharedCache(),
): Promise<Cached<EnvironmentMetrics>> {
  if (rangeMinutes === DEFAULT_METRICS_RANGE_MINUTES) return readSource(env, 'metrics', shared);
  return shared.get(
    cacheNames.metrics(env.name, rangeMinutes),
    SNAPSHOT_SOURCES.metrics.policy,
    EnvironmentMetricsSchema,
    () => getEnvironmentMetrics(env, rangeMinutes),
  );
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
 * read yet (model/status.ts `pending`); the live stream brings it.
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
export async function getEnvironmentSnapshot(
  env: Environment,
  shared: Cache = sharedCache(),
  options: SnapshotOptions = {},
): Promise<EnvironmentSnapshot> {
  const read = <N extends SourceName>(name: N) =>
    readSource(env, name, shared).catch((err: unknown) => failedPart<SourceValue<N>>(err));
  const waited = SOURCE_NAMES.filter((name) => SNAPSHOT_SOURCES[name].page === 'waits');
  const reads = new Map(waited.map((name) => [name, read(name)]));
  // The others: within graceMs of the waited-for parts, or pending while their load goes on.
  // Not when the shared cache fails: the live stream (Redis pub/sub) could not bring them later.
  const waitedIn = Promise.all(reads.values());
  const withGrace = <T>(settled: Promise<Cached<T>>): Promise<Cached<T>> => {
    const graceMs = options.graceMs;
    if (graceMs === undefined) return settled;
    waitUntil(settled); // the load goes on past a page that stopped waiting: it fills the cache
    const pending = waitedIn.then((parts) =>
      parts.some((p) => p.sharedCacheError)
        ? settled
        : Promise.race([
            settled,
            new Promise<Cached<T>>((resolve) => {
              const timer = setTimeout(
                () =>
                  resolve({
                    value: null,
                    fetchedAt: null,
                    ageMs: null,
                    stale: true,
                    error: null,
                    sharedCacheError: null,
                  }),
                graceMs,
              );
              void settled.finally(() => clearTimeout(timer));
            }),
          ]),
    );
    return Promise.race([settled, pending]);
  };
  for (const name of SOURCE_NAMES) if (!reads.has(name)) reads.set(name, withGrace(read(name)));
  const values = await Promise.all(SOURCE_NAMES.map((name) => reads.get(name)!));
  const parts = {
    environment: {
      name: env.name,
      region: env.aws.region,
      production: env.production,
      cluster: env.ecs.cluster,
      colour: environmentColour(env),
    },
    ...Object.fromEntries(SOURCE_NAMES.map((name, i) => [name, values[i]])),
  } as SnapshotParts;
  return { ...parts, status: environmentStatus(parts) };
}
