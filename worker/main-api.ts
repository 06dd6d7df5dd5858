/** `npm run start:api`: the job API, as the Dockerfile's `api` target runs it. */
import { QueueEvents } from 'bullmq';
import { buildApi } from './api/app.js';
import { createQueues } from './api/jobs.js';
import { ApiConfigSchema, loadConfig, parseAllowlist } from './config.js';
import { JOB_KINDS, type JobKind } from './contract.js';
import { createLogger } from './logger.js';
import { producerConnection, workerConnection } from './redis.js';
import { createUrlGuard } from './url-guard.js';

const config = loadConfig(ApiConfigSchema);
const logger = createLogger('api', config.LOG_LEVEL);
process.on('uncaughtException', (err) => {
  logger.fatal({ err: err.message, stack: err.stack }, 'uncaught exception');
  process.exit(1);
});

const redis = producerConnection(config.REDIS_URL);
// With the offline queue off, commands before `ready` fail: wait for it once at start-up.
await new Promise<void>((resolve, reject) => {
  redis.once('ready', () => resolve());
  redis.once('error', (err) => reject(new Error(`redis not reachable: ${err.message}`)));
});
const queues = createQueues(redis);
// QueueEvents block on XREAD, so each needs its own connection that retries forever.
const queueEvents = Object.fromEntries(
  JOB_KINDS.map((kind) => [kind, new QueueEvents(kind, { connection: workerConnection(config.REDIS_URL) })]),
) as Record<JobKind, QueueEvents>;
await Promise.all(Object.values(queueEvents).map((e) => e.waitUntilReady()));

const app = await buildApi({
  redis,
  queues,
  queueEvents,
  guard: createUrlGuard({ allowlist: parseAllowlist(config.WORKER_URL_ALLOWLIST) }),
  apiKeys: config.API_KEYS,
  rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
  logger,
});
await app.listen({ host: config.HOST, port: config.PORT });

async function shutdown() {
  await app.close();
  await Promise.all([...Object.values(queueEvents).map((e) => e.close()), ...Object.values(queues).map((q) => q.close())]);
  redis.disconnect();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
