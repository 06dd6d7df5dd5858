/**
 * Publishes the queues' backlog (jobs waiting, all kinds) to CloudWatch as
 * Pilothouse/QueueBacklog, per environment and per queue (dimension Queue: the queue
 * page's depth over time), and beside it the longest wait
 * (Pilothouse/QueueOldestWaitingSeconds), which the control plane's timeline draws. The worker service's target-tracking policy
 * divides it by the service's running task count (metric math in infrastructure/modules/ecs),
 * so the worker scales on backlog per task. Every worker task publishes the same gauge;
 * the policy reads its average.
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';

import { WORKER_BACKLOG_METRIC, WORKER_OLDEST_WAITING_METRIC } from '../contracts/platform.js';

export function startBacklogMetric(options: {
  queues: Queue[];
  environment: string;
  intervalMs: number;
  cloudwatch: CloudWatchClient;
  logger: Logger;
}): { stop(): void } {
  const { queues, environment, cloudwatch, logger } = options;
  async function publish() {
    const [counts, oldest] = await Promise.all([
      Promise.all(queues.map((q) => q.getJobCounts('waiting', 'prioritized'))),
      // Each queue's longest-waiting job (the wait list's oldest end).
      Promise.all(queues.map((q) => q.getJobs(['waiting'], 0, 0, true))),
    ]);
    const backlog = counts.reduce((sum, c) => sum + (c.waiting ?? 0) + (c.prioritized ?? 0), 0);
    const now = Date.now();
    const oldestWaitingSeconds = Math.max(0, ...oldest.flat().map((job) => (job ? (now - job.timestamp) / 1000 : 0)));
    const dimensions = [{ Name: 'Environment', Value: environment }];
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: WORKER_BACKLOG_METRIC.namespace,
        MetricData: [
          // The environment's (what the worker service scales on) and each queue's (a metric of its own: other dimensions).
          {
            MetricName: WORKER_BACKLOG_METRIC.name,
            Dimensions: dimensions,
            Unit: 'Count',
            Value: backlog,
            Timestamp: new Date(now),
          },
          ...queues.map((q, i) => ({
            MetricName: WORKER_BACKLOG_METRIC.name,
            Dimensions: [...dimensions, { Name: 'Queue', Value: q.name }],
            Unit: 'Count' as const,
            Value: (counts[i].waiting ?? 0) + (counts[i].prioritized ?? 0),
            Timestamp: new Date(now),
          })),
          {
            MetricName: WORKER_OLDEST_WAITING_METRIC.name,
            Dimensions: dimensions,
            Unit: 'Seconds',
            Value: Math.round(oldestWaitingSeconds),
            Timestamp: new Date(now),
          },
        ],
      }),
    );
    logger.debug({ backlog, oldestWaitingSeconds }, 'backlog published');
  }
  const tick = () => publish().catch((err: Error) => logger.warn({ err: err.message }, 'backlog metric not published'));
  void tick();
  const timer = setInterval(tick, options.intervalMs);
  return { stop: () => clearInterval(timer) };
}
