/**
 * Publishes the queues' backlog (jobs waiting, all kinds) to CloudWatch as
 * Pilothouse/QueueBacklog, per environment. The worker service's target-tracking policy
 * divides it by the service's running task count (metric math in infrastructure/modules/ecs),
 * so the worker scales on backlog per task. Every worker task publishes the same gauge;
 * the policy reads its average.
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';

import { WORKER_BACKLOG_METRIC } from '../lib/platform.js';

export function startBacklogMetric(options: {
  queues: Queue[];
  environment: string;
  intervalMs: number;
  cloudwatch: CloudWatchClient;
  logger: Logger;
}): { stop(): void } {
  const { queues, environment, cloudwatch, logger } = options;
  async function publish() {
    const counts = await Promise.all(queues.map((q) => q.getJobCounts('waiting', 'prioritized')));
    const backlog = counts.reduce((sum, c) => sum + (c.waiting ?? 0) + (c.prioritized ?? 0), 0);
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: WORKER_BACKLOG_METRIC.namespace,
        MetricData: [{ MetricName: WORKER_BACKLOG_METRIC.name, Dimensions: [{ Name: 'Environment', Value: environment }], Unit: 'Count', Value: backlog, Timestamp: new Date() }],
      }),
    );
    logger.debug({ backlog }, 'backlog published');
  }
  const tick = () => publish().catch((err: Error) => logger.warn({ err: err.message }, 'backlog metric not published'));
  void tick();
  const timer = setInterval(tick, options.intervalMs);
  return { stop: () => clearInterval(timer) };
}
