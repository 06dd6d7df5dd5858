import 'server-only';
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { Environment } from '../environments';
import {
  SERVICE_ROLES,
  WORKER_BACKLOG_METRIC,
  WORKER_OLDEST_WAITING_METRIC,
  type ServiceRole,
} from '../../contracts/platform';
import { clientFor } from './clients';
import { awsCall } from './errors';
import {
  EnvironmentMetricsSchema,
  QUEUE_SERIES,
  SERIES,
  TIMELINE_SERIES,
  type EnvironmentMetrics,
  type SeriesId,
} from '../../model/schemas/cloudwatch';

/**
 * The period for a range, so a chart has at most a few hundred points. GetMetricData
 * returns up to 100,800 points per call, far above this.
 */
export function periodFor(rangeMinutes: number): number {
  if (rangeMinutes <= 180) return 60;
  if (rangeMinutes <= 24 * 60) return 300;
  return 3600;
}

export function cloudwatchClient(env: Environment): CloudWatchClient {
  return clientFor(CloudWatchClient, env);
}

export function getEnvironmentMetrics(
  env: Environment,
  rangeMinutes: number,
  client: CloudWatchClient = cloudwatchClient(env),
  now: Date = new Date(),
): Promise<EnvironmentMetrics> {
  return queryMetrics(env, rangeMinutes, SERIES, client, now);
}

/** The timeline's series: the environment's, the queue backlog and oldest waiting age, tasks running and desired. Still ONE call. */
export function getTimelineMetrics(
  env: Environment,
  rangeMinutes: number,
  client: CloudWatchClient = cloudwatchClient(env),
  now: Date = new Date(),
): Promise<EnvironmentMetrics> {
  return queryMetrics(env, rangeMinutes, [...SERIES, ...TIMELINE_SERIES], client, now);
}

/** One queue's jobs waiting over the range, as the worker publishes it per queue. */
export function getQueueDepthMetrics(
  env: Environment,
  queueName: string,
  rangeMinutes: number,
  client: CloudWatchClient = cloudwatchClient(env),
  now: Date = new Date(),
): Promise<EnvironmentMetrics> {
  return queryMetrics(env, rangeMinutes, QUEUE_SERIES, client, now, queueName);
}

async function queryMetrics(
  env: Environment,
  rangeMinutes: number,
  ids: readonly SeriesId[],
  client: CloudWatchClient,
  now: Date,
  queueName?: string,
): Promise<EnvironmentMetrics> {
  const period = periodFor(rangeMinutes);
  /** One series: a metric by its namespace, name and dimensions, one statistic per period. */
  const query = (
    id: string,
    namespace: string,
    metric: string,
    dimensions: Record<string, string>,
    stat: string,
  ): MetricDataQuery => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: namespace,
        MetricName: metric,
        Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: period,
      Stat: stat,
    },
  });
  // CloudWatch names ALB dimensions by ARN suffix: app/name/id and targetgroup/name/id.
  const albDimensions = {
    LoadBalancer: env.alb.loadBalancerArn.split(':loadbalancer/')[1],
    TargetGroup: env.alb.targetGroupArns.api.split(':').at(-1)!,
  };
  const alb = (id: SeriesId, metric: string, stat: string) =>
    query(id, 'AWS/ApplicationELB', metric, albDimensions, stat);
  const service = (role: ServiceRole) => ({ ClusterName: env.ecs.cluster, ServiceName: env.ecs.services[role] });
  const ecs = (role: ServiceRole, metric: 'CPUUtilization' | 'MemoryUtilization') =>
    query(`${role}_${metric === 'CPUUtilization' ? 'cpu' : 'memory'}`, 'AWS/ECS', metric, service(role), 'Average');
  const backlog = { Environment: env.name };
  const queue = (id: SeriesId, metric: string) =>
    query(id, WORKER_BACKLOG_METRIC.namespace, metric, backlog, 'Maximum');
  // Container Insights' task counts: what the worker's autoscaling divides the backlog by.
  const tasks = (role: ServiceRole, metric: 'RunningTaskCount' | 'DesiredTaskCount') =>
    query(
      `${role}_${metric === 'RunningTaskCount' ? 'running' : 'desired'}`,
      'ECS/ContainerInsights',
      metric,
      service(role),
      'Average',
    );
  const allQueries: MetricDataQuery[] = [
    ...(queueName === undefined
      ? []
      : [
          query(
            'queue_depth',
            WORKER_BACKLOG_METRIC.namespace,
            WORKER_BACKLOG_METRIC.name,
            { ...backlog, Queue: queueName },
            'Maximum',
          ),
        ]),
    queue('queue_backlog', WORKER_BACKLOG_METRIC.name),
    queue('queue_oldest_age', WORKER_OLDEST_WAITING_METRIC.name),
    ...SERVICE_ROLES.flatMap((role) => [tasks(role, 'RunningTaskCount'), tasks(role, 'DesiredTaskCount')]),
    ...SERVICE_ROLES.flatMap((role) => [ecs(role, 'CPUUtilization'), ecs(role, 'MemoryUtilization')]),
    alb('requests', 'RequestCount', 'Sum'),
    alb('target_5xx', 'HTTPCode_Target_5XX_Count', 'Sum'),
    alb('latency_p50', 'TargetResponseTime', 'p50'),
    alb('latency_p99', 'TargetResponseTime', 'p99'),
    alb('healthy_hosts', 'HealthyHostCount', 'Average'),
    alb('unhealthy_hosts', 'UnHealthyHostCount', 'Average'),
  ];
  const queries = allQueries.filter((q) => (ids as readonly string[]).includes(q.Id!));
  const start = new Date(Math.floor((now.getTime() - rangeMinutes * 60_000) / (period * 1000)) * period * 1000);
  const results = await awsCall('CloudWatch', 'GetMetricData', () =>
    client.send(
      new GetMetricDataCommand({
        MetricDataQueries: queries,
        StartTime: start,
        EndTime: now,
        ScanBy: 'TimestampAscending',
      }),
    ),
  );
  const startSeconds = start.getTime() / 1000;
  const length = Math.floor((now.getTime() / 1000 - startSeconds) / period) + 1;
  return EnvironmentMetricsSchema.parse({
    rangeMinutes,
    periodSeconds: period,
    start: startSeconds,
    series: ids.map((id) => {
      const r = results.MetricDataResults?.find((m) => m.Id === id);
      const values: (number | null)[] = Array.from({ length }, () => null);
      (r?.Values ?? []).forEach((v, i) => {
        const at = r?.Timestamps?.[i];
        if (!at || !Number.isFinite(v)) return;
        // StartTime is on a period boundary, so every datapoint falls on one of the slots.
        const slot = Math.round((at.getTime() / 1000 - startSeconds) / period);
        if (slot >= 0 && slot < length) values[slot] = roundForChart(id.startsWith('latency') ? v * 1000 : v);
      });
      return { id, label: LABELS[id][0], unit: LABELS[id][1], values };
    }),
  });
}

/** Four significant digits: more than a chart or a legend shows, and a third of the bytes. */
function roundForChart(value: number): number {
  return Number(value.toPrecision(4));
}

const LABELS: Record<SeriesId, [string, string]> = {
  api_cpu: ['api CPU', '%'],
  api_memory: ['api memory', '%'],
  worker_cpu: ['worker CPU', '%'],
  worker_memory: ['worker memory', '%'],
  requests: ['requests', 'count'],
  target_5xx: ['target 5xx', 'count'],
  latency_p50: ['latency p50', 'ms'],
  latency_p99: ['latency p99', 'ms'],
  healthy_hosts: ['healthy hosts', 'count'],
  unhealthy_hosts: ['unhealthy hosts', 'count'],
  queue_backlog: ['jobs waiting', 'count'],
  queue_depth: ['jobs waiting', 'count'],
  queue_oldest_age: ['oldest waiting', 's'],
  api_running: ['api running', 'tasks'],
  api_desired: ['api desired', 'tasks'],
  worker_running: ['worker running', 'tasks'],
  worker_desired: ['worker desired', 'tasks'],
};
