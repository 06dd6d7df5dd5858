/** `npm run start:api`: the job API, as the Dockerfile's `api` target runs it. */
import { QueueEvents } from 'bullmq';
import { buildApi } from './api/app.js';
import { createQueues } from './api/jobs.js';
import { ApiConfigSchema, loadConfig, parseAllowlist } from './config.js';
import { JOB_KINDS, type JobKind } from '../contracts/jobs.js';
import { createLogger } from './logger.js';
import { producerConnection, workerConnection } from './redis.js';
import { createUrlGuard } from './url-guard.js';

const config = loadConfig(ApiConfigSchema);
const logger = createLogger('api', config.LOG_LEVEL);

/** ECS waits 30 s (stopTimeout) before SIGKILL: a stop that has not finished by then exits anyway. */
const SHUTDOWN_DEADLINE_MS = 10_000;
/** Closing queues waits on Redis; a Redis that is gone must not hold the stop (they are disconnected after). */
const REDIS_CLOSE_WAIT_MS = 2_000;

// A stray rejection must not take the api down (Node's default exits); it is logged. An
// uncaught exception leaves the process in an unknown state: log it and stop, as the worker does.
process.on('unhandledRejection', (reason) => {
  logger.error(
    {
      err: reason instanceof Error ? reason.message : String(reason),
      stack: reason instanceof Error ? reason.stack : undefined,
    },
    'unhandled rejection',
  );
});
let listening = false;
process.on('uncaughtException', (err) => {
  logger.fatal({ err: err.message, stack: err.stack }, 'uncaught exception');
  if (!listening) process.exit(1); // nothing to drain yet
  void shutdown('uncaughtException', 1);
});

const redis = producerConnection(config.REDIS_URL);
redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
// With the offline queue off, commands before `ready` fail: wait for it once at start-up.
await new Promise<void>((resolve, reject) => {
  redis.once('ready', () => resolve());
  redis.once('error', (err) => reject(new Error(`redis not reachable: ${err.message}`)));
});
const queues = createQueues(redis);
// QueueEvents block on XREAD, so each needs its own connection that retries forever.
const queueEvents = Object.fromEntries(
  JOB_KINDS.map((kind) => {
    const events = new QueueEvents(kind, { connection: workerConnection(config.REDIS_URL) });
    events.on('error', (err) => logger.warn({ err: err.message, queue: kind }, 'queue events error'));
    return [kind, events];
  }),
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
listening = true;

let stopping: Promise<void> | null = null;
/** The one way out: stop accepting, end open event streams, close Redis, exit. */
function shutdown(reason: string, code = 0): Promise<void> {
  stopping ??= (async () => {
    logger.info({ reason }, 'stopping: ending open streams, no new requests');
    setTimeout(() => {
      logger.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, 'shutdown deadline passed; exiting');
      process.exit(code || 1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    try {
      await app.close();
      const closed = Promise.all([
        ...Object.values(queueEvents).map((e) => e.close()),
        ...Object.values(queues).map((q) => q.close()),
      ]);
      await Promise.race([closed, new Promise((r) => setTimeout(r, REDIS_CLOSE_WAIT_MS).unref())]);
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'error while stopping');
    }
    for (const events of Object.values(queueEvents)) void events.disconnect().catch(() => {});
    redis.disconnect();
    logger.info('stopped');
    process.exit(code);
  })();
  return stopping;
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
