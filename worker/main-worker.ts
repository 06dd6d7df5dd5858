/** `npm run start:worker`: the Playwright worker, as the Dockerfile's `worker` target runs it. */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { Queue } from 'bullmq';
import { s3ArtifactStore } from './artifacts.js';
import { startBacklogMetric } from './backlog-metric.js';
import { sharedBrowser } from './browser.js';
import { loadConfig, parseAllowlist, WorkerConfigSchema } from './config.js';
import { JOB_KINDS } from '../contracts/jobs.js';
import { startEgressProxy } from './egress-proxy.js';
import { createLogger } from './logger.js';
import { readerConnection, workerConnection } from './redis.js';
import { createUrlGuard } from './url-guard.js';
import { startJobWorkers } from './worker.js';

const config = loadConfig(WorkerConfigSchema);
const logger = createLogger('worker', config.LOG_LEVEL);

process.on('uncaughtException', (err) => {
  // Let ECS replace the task rather than run on in an unknown state.
  logger.fatal({ err: err.message, stack: err.stack }, 'uncaught exception');
  process.exit(1);
});
process.on('unhandledRejection', (reason) => {
  logger.fatal({ err: String(reason) }, 'unhandled rejection');
  process.exit(1);
});

const guard = createUrlGuard({ allowlist: parseAllowlist(config.WORKER_URL_ALLOWLIST) });
const proxy = await startEgressProxy(guard, logger);
const browser = sharedBrowser({ executablePath: config.CHROMIUM_PATH, proxy, logger });
const store = s3ArtifactStore({
  bucket: config.ARTIFACTS_BUCKET,
  region: config.AWS_REGION,
  endpoint: config.AWS_ENDPOINT_URL,
});
const jobs = startJobWorkers(
  // The page gets three quarters of the job's time: a page that never loads fails as a navigation
  // timeout, with time left to keep its evidence, before the job's own timeout aborts everything.
  { browser, proxy, guard, store, navigationTimeoutMs: Math.round(config.JOB_TIMEOUT_MS * 0.75) },
  {
    connection: () => workerConnection(config.REDIS_URL),
    concurrency: config.WORKER_CONCURRENCY,
    jobTimeoutMs: config.JOB_TIMEOUT_MS,
    stopGraceMs: config.STOP_GRACE_MS,
    lockMs: config.JOB_LOCK_MS,
    logger,
  },
);
await Promise.all(jobs.workers.map((w) => w.waitUntilReady()));
const metricsRedis = readerConnection(config.REDIS_URL);
const backlogQueues = JOB_KINDS.map((kind) => new Queue(kind, { connection: metricsRedis }));
const backlog =
  config.BACKLOG_METRIC_INTERVAL_MS > 0
    ? startBacklogMetric({
        queues: backlogQueues,
        environment: config.ENVIRONMENT,
        intervalMs: config.BACKLOG_METRIC_INTERVAL_MS,
        cloudwatch: new CloudWatchClient({ region: config.AWS_REGION, endpoint: config.AWS_ENDPOINT_URL }),
        logger,
      })
    : null;
logger.info({ concurrency: config.WORKER_CONCURRENCY, queues: jobs.workers.map((w) => w.name) }, 'worker ready');

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping: no new jobs; finishing or handing back running ones');
  // Past the grace period and a margin for handing jobs back, stop regardless (a Redis that is
  // gone can hold BullMQ's close); ECS would SIGKILL at 30 s anyway.
  setTimeout(() => {
    logger.error('stop took too long; exiting');
    process.exit(1);
  }, config.STOP_GRACE_MS + 5_000).unref();
  backlog?.stop();
  await jobs.close();
  await Promise.all(backlogQueues.map((q) => q.close()));
  metricsRedis.disconnect();
  await browser.close();
  await proxy.close();
  logger.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
