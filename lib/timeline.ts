import 'server-only';
import { z } from 'zod';
import { readAudit } from './audit';
import { getTimelineMetrics } from './aws/cloudwatch';
import { describeServiceEvents } from './aws/ecs';
import type { Cached, CachePolicy } from './cache';
import type { Environment } from './environments';
import { cacheNames } from '../contracts/keys';
import { SERVICE_ROLES } from '../contracts/platform';
import { RANGES, type RangeName } from '../model/ranges';
import type { EnvironmentSnapshot } from '../model/schemas/snapshot';
import { getEnvironmentSnapshot, sharedCache } from './snapshot';
import { readStatusHistory } from './status-alerts';
import { timelineMarkers, type TimelineMarker } from '../model/timeline-markers';
import { ServiceEventSchema } from '../model/schemas/ecs';
import { EnvironmentMetricsSchema, type EnvironmentMetrics } from '../model/schemas/cloudwatch';

/** A range's metrics change by the period; the events with every rollout step. */
export const TIMELINE_POLICIES = {
  metrics: { ttlMs: 60_000, maxStaleMs: 60 * 60_000 },
  events: { ttlMs: 10_000, maxStaleMs: 30 * 60_000 },
} satisfies Record<string, CachePolicy>;

export type Timeline = {
  range: RangeName;
  /** The environment's snapshot the markers were read with (the page goes live from it). */
  snapshot: EnvironmentSnapshot;
  /** Epoch milliseconds. */
  from: number;
  to: number;
  metrics: Cached<EnvironmentMetrics>;
  markers: TimelineMarker[];
  /** Sources that could not be read: their markers are missing, and the page says so. */
  problems: { source: string; message: string }[];
};

const EventsSchema = z.record(z.enum(SERVICE_ROLES), z.array(ServiceEventSchema));

/**
 * One environment's last `range` on one time axis: ONE GetMetricData for every row (cached per
 * range), and markers from sources that are cached already (deploy runs, scaling, deployments)
 * or cheap (ECS's 100 events per service, cached; the audit stream and status history, Redis).
 */
export async function getTimeline(env: Environment, range: RangeName, now = Date.now()): Promise<Timeline> {
  const from = now - RANGES[range] * 60_000;
  const [snapshot, metrics] = await Promise.all([
    getEnvironmentSnapshot(env),
    sharedCache().get(
      cacheNames.timelineMetrics(env.name, RANGES[range]),
      TIMELINE_POLICIES.metrics,
      EnvironmentMetricsSchema,
      () => getTimelineMetrics(env, RANGES[range]),
    ),
  ]);
  const { markers, problems } = await getMarkers(env, snapshot, from, now, 5_000);
  return { range, snapshot, from, to: now, metrics, markers, problems };
}

/**
 * The markers between `from` and `to`: from the snapshot the caller has (deploy runs, scaling,
 * deployments in flight), ECS's events (cached), and the audit stream and status history
 * (Redis; the audit read looks at the newest `auditScan` records).
 */
export async function getMarkers(
  env: Environment,
  snapshot: EnvironmentSnapshot,
  from: number,
  to: number,
  auditScan = 1_000,
): Promise<Pick<Timeline, 'markers' | 'problems'>> {
  const cache = sharedCache();
  const problems: Timeline['problems'] = [];
  const [events, audit, statusChanges] = await Promise.all([
    cache.get(cacheNames.serviceEvents(env.name), TIMELINE_POLICIES.events, EventsSchema, () =>
      describeServiceEvents(env),
    ),
    readAudit({ environment: env.name }, 500, auditScan).catch((err: Error) => {
      problems.push({ source: 'audit', message: err.message });
      return [];
    }),
    readStatusHistory(cache.redis, env.name, from).catch((err: Error) => {
      problems.push({ source: 'status history', message: err.message });
      return [];
    }),
  ]);
  const partProblem = (source: string, part: { error: { message: string } | null; value: unknown }) => {
    if (part.error)
      problems.push({
        source,
        message: part.value === null ? part.error.message : `${part.error.message} (older values shown)`,
      });
  };
  partProblem('ECS events', events);
  partProblem('GitHub deploy runs', snapshot.deployRuns);
  partProblem('scaling activities', snapshot.scaling);
  const services = snapshot.ecs.value?.services ?? [];
  const markers = timelineMarkers(
    {
      env: env.name,
      runs: snapshot.deployRuns.value ?? [],
      events: events.value ?? {},
      deployments: Object.fromEntries(services.map((s) => [s.role, s.deployments])),
      scaling: snapshot.scaling.value ?? {},
      audit,
      statusChanges,
    },
    from,
    to,
  );
  return { markers, problems };
}
