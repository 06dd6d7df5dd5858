import 'server-only';
import { z } from 'zod';
import { describeScaling, EnvironmentScalingSchema } from './aws/autoscaling';
import { EnvironmentMetricsSchema, getEnvironmentMetrics } from './aws/cloudwatch';
import { listImages, RepositoryImagesSchema } from './aws/ecr';
import { describeEnvironmentServices, ServiceSummarySchema } from './aws/ecs';
import { describeLoadBalancerHealth, LoadBalancerHealthSchema } from './aws/elb';
import { describeParameters, ParameterStatusSchema } from './aws/ssm';
import { createCache, type Cache, type CachePolicy, type Cached } from './cache';
import type { Environment } from './environments';
import { cacheNames } from './keys';
import { DeployRunSchema, listDeployRuns } from './github';
import { getQueueStats, QueueStatsSchema } from './queue';
import { getRedis } from './redis';
import { SERVICE_ROLES } from './platform';

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

const EcsPartSchema = z.object({
  services: z.array(ServiceSummarySchema.extend({ role: z.enum(SERVICE_ROLES) })),
  missing: z.array(z.string()),
});

export type EnvironmentSnapshot = {
  environment: { name: string; region: string; production: boolean; cluster: string };
  ecs: Cached<z.infer<typeof EcsPartSchema>>;
  targets: Cached<z.infer<typeof LoadBalancerHealthSchema>>;
  queues: Cached<z.infer<typeof QueueStatsSchema>[]>;
  metrics: Cached<z.infer<typeof EnvironmentMetricsSchema>>;
  scaling: Cached<z.infer<typeof EnvironmentScalingSchema>>;
  images: Cached<z.infer<typeof RepositoryImagesSchema>>;
  parameters: Cached<z.infer<typeof ParameterStatusSchema>[]>;
  deployRuns: Cached<z.infer<typeof DeployRunSchema>[]>;
};

let defaultCache: Cache | undefined;
function cache(): Cache {
  defaultCache ??= createCache(getRedis());
  return defaultCache;
}

/**
 * Everything the environment view shows, each part read through the shared cache: AWS and
 * the queues' Redis are called once per part per TTL, however many people are watching.
 * A failed part carries its error (and its last value, if any); the others are unaffected.
 */
export async function getEnvironmentSnapshot(env: Environment, shared: Cache = cache()): Promise<EnvironmentSnapshot> {
  const [ecs, targets, queues, metrics, scaling, images, parameters, deployRuns] = await Promise.all([
    shared.get(cacheNames.ecsServices(env.name), CACHE_POLICIES.ecs, EcsPartSchema, () => describeEnvironmentServices(env)),
    shared.get(cacheNames.targetHealth(env.name), CACHE_POLICIES.targets, LoadBalancerHealthSchema, () => describeLoadBalancerHealth(env)),
    shared.get(cacheNames.queues(env.name), CACHE_POLICIES.queues, z.array(QueueStatsSchema), () => getQueueStats(env)),
    shared.get(cacheNames.metrics(env.name, DEFAULT_METRICS_RANGE_MINUTES), CACHE_POLICIES.metrics, EnvironmentMetricsSchema, () =>
      getEnvironmentMetrics(env, DEFAULT_METRICS_RANGE_MINUTES),
    ),
    shared.get(cacheNames.scaling(env.name), CACHE_POLICIES.scaling, EnvironmentScalingSchema, () => describeScaling(env)),
    shared.get(cacheNames.images(env.name), CACHE_POLICIES.images, RepositoryImagesSchema, () => listImages(env)),
    shared.get(cacheNames.parameters(env.name), CACHE_POLICIES.parameters, z.array(ParameterStatusSchema), () => describeParameters(env)),
    shared.get(cacheNames.deployRuns(env.name), CACHE_POLICIES.deployRuns, z.array(DeployRunSchema), () => listDeployRuns(env)),
  ]);
  return {
    environment: { name: env.name, region: env.aws.region, production: env.production, cluster: env.ecs.cluster },
    ecs,
    targets,
    queues,
    metrics,
    scaling,
    images,
    parameters,
    deployRuns,
  };
}
