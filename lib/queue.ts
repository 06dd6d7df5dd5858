import 'server-only';
import { bullKey } from '../contracts/keys';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import type { Environment } from './environments';
import { AppError, UpstreamError } from '../model/errors';
import { describeRedisFailure, FAIL_FAST_REDIS_OPTIONS } from './redis';
import {
  FailedJobSchema,
  FailureGroupSchema,
  JobDetailSchema,
  QueueStatsSchema,
  type FailedJob,
  type FailureGroup,
  type JobDetail,
  type QueueStats,
} from '../model/schemas/queue';

/**
 * The platform's BullMQ queues as the on-call view needs them. Counts for every queue of an
 * environment come from ONE pipelined round trip over BullMQ's keys (a second fetches the
 * oldest waiting jobs' timestamps), instead of a Lua call per queue per state; a test
 * compares these counts with BullMQ's own getJobCounts, so a change of key layout fails CI.
 */
/** Minutes of per-minute throughput returned (BullMQ keeps a week of points). */
export const THROUGHPUT_MINUTES = 60;

// One connection per Redis URL per process, shared by every reader (README, "Redis and Upstash").
const connections = new Map<string, Redis>();
export function queueRedis(env: Environment): Redis {
  const url = env.queues.redisUrl;
  let redis = connections.get(url);
  if (!redis) {
    redis = new Redis(url, FAIL_FAST_REDIS_OPTIONS);
    redis.on('error', () => {}); // reported by the command that fails
    connections.set(url, redis);
  }
  return redis;
}

/** Ends those connections (a test file finishing, a process shutting down). */
export function closeQueueRedis(): void {
  for (const redis of connections.values()) redis.disconnect();
  connections.clear();
}

const key = bullKey;

export async function getQueueStats(
  env: Environment,
  redis: Redis = queueRedis(env),
  now = Date.now(),
): Promise<QueueStats[]> {
  try {
    return await readQueueStats(env, redis, now);
  } catch (err) {
    if (err instanceof z.ZodError) throw err; // our bug, not Redis's outage
    throw new UpstreamError('Redis', `the queues' Redis did not answer (${describeRedisFailure(err)})`, undefined, {
      cause: err,
    });
  }
}

async function readQueueStats(env: Environment, redis: Redis, now: number): Promise<QueueStats[]> {
  const names = env.queues.names;
  const pipeline = redis.pipeline();
  for (const q of names) {
    pipeline
      .llen(key(q, 'wait'))
      .llen(key(q, 'paused'))
      .llen(key(q, 'active'))
      .zcard(key(q, 'delayed'))
      .zcard(key(q, 'prioritized'))
      .zcard(key(q, 'waiting-children'))
      .zcard(key(q, 'completed'))
      .zcard(key(q, 'failed'))
      .hget(key(q, 'meta'), 'paused')
      .lindex(key(q, 'wait'), -1) // workers take from the right: the oldest job
      .lrange(key(q, 'metrics:completed:data'), 0, THROUGHPUT_MINUTES - 1)
      .lrange(key(q, 'metrics:failed:data'), 0, THROUGHPUT_MINUTES - 1)
      .hmget(key(q, 'metrics:completed'), 'count', 'prevCount', 'prevTS')
      .hmget(key(q, 'metrics:failed'), 'count', 'prevCount', 'prevTS');
  }
  const results = await pipeline.exec();
  if (!results) throw new AppError('internal', 'the Redis pipeline returned nothing');
  const PER_QUEUE = 14;
  const values = results.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
  const oldestIds = names.map((_, i) => values[i * PER_QUEUE + 9] as string | null);
  const workers = await Promise.all(names.map((q) => countWorkers(env, q, redis)));
  const timestamps = oldestIds.some(Boolean)
    ? await redis.pipeline(names.map((q, i) => ['hget', key(q, oldestIds[i] ?? 'none'), 'timestamp'])).exec()
    : names.map(() => [null, null] as [null, null]);

  return names.map((name, i) => {
    const v = values.slice(i * PER_QUEUE, (i + 1) * PER_QUEUE);
    const oldestTs = Number(timestamps?.[i]?.[1] ?? NaN);
    const perMinute = (list: unknown, meta: unknown) =>
      perMinuteSeries(list as string[], meta as (string | null)[], now);
    return QueueStatsSchema.parse({
      name,
      counts: {
        waiting: (v[0] as number) + (v[1] as number),
        active: v[2],
        delayed: v[3],
        prioritized: v[4],
        waitingChildren: v[5],
        completed: v[6],
        failed: v[7],
      },
      paused: v[8] === '1',
      oldestWaitingAgeMs: Number.isFinite(oldestTs) ? Math.max(0, now - oldestTs) : null,
      completedPerMinute: perMinute(v[10], v[12]),
      failedPerMinute: perMinute(v[11], v[13]),
      workers: workers[i],
      finishedTotal: finishedTotal(v[12] as (string | null)[], v[13] as (string | null)[]),
      rates: null,
    });
  });
}

/** BullMQ's metrics hashes count every finished job (`count`); absent until a worker with metrics finishes one. */
function finishedTotal(completed: (string | null)[], failed: (string | null)[]): number | null {
  if (completed[0] === null && failed[0] === null) return null;
  return Number(completed[0] ?? 0) + Number(failed[0] ?? 0);
}

/**
 * Workers connected to a queue: BullMQ names each worker's connection after its queue, and
 * lists them from CLIENT LIST. A server without CLIENT LIST (BullMQ answers with a placeholder
 * entry) gives null: unknown, not zero.
 */
async function countWorkers(env: Environment, queueName: string, redis: Redis): Promise<number | null> {
  const workers = await bullQueue(env, queueName, redis).getWorkers();
  if (workers.some((w) => w.name === 'GCP does not support client list')) return null;
  return workers.length;
}

const MINUTE_MS = 60_000;

/**
 * Jobs per full minute up to now, oldest first, from BullMQ's metrics. BullMQ writes points
 * only when a job finishes (collectMetrics in its moveToFinished script): the list holds the
 * minutes before the one of `prevTS`, newest first; that minute's own count is still in the
 * hash (`count - prevCount`); and every minute after it, up to now, had no job finish (else
 * a point would have been pushed). Reading the list alone would show the last busy minute's
 * rate as current after an idle spell or a dead worker.
 */
export function perMinuteSeries(list: string[], meta: (string | null)[], now: number): number[] {
  const points = list.map(Number);
  const [count, prevCount, prevTs] = meta.map((x) => (x === null ? null : Number(x)));
  const currentMinute = Math.floor(now / MINUTE_MS);
  const newestFirst: number[] = [];
  if (prevTs !== null) {
    const lastMinute = Math.floor(prevTs / MINUTE_MS);
    for (let m = currentMinute - 1; m > lastMinute && newestFirst.length < THROUGHPUT_MINUTES; m--) newestFirst.push(0);
    if (lastMinute < currentMinute) newestFirst.push(Math.max(0, (count ?? 0) - (prevCount ?? 0)));
  }
  newestFirst.push(...points);
  return newestFirst.slice(0, THROUGHPUT_MINUTES).reverse();
}

// BullMQ Queue objects for page reads of failed jobs: one per (Redis URL, queue) per process.
const queues = new Map<string, Queue>();
function bullQueue(env: Environment, name: string, redis: Redis): Queue {
  const id = `${env.queues.redisUrl}|${name}`;
  let queue = queues.get(id);
  if (!queue) {
    queue = new Queue(name, { connection: redis });
    queues.set(id, queue);
  }
  return queue;
}

/** One page of a queue's failed jobs, newest first, with the reason and attempts. */
export async function listFailedJobs(
  env: Environment,
  queueName: string,
  page: { offset: number; limit: number },
  redis: Redis = queueRedis(env),
): Promise<{ total: number; jobs: FailedJob[] }> {
  const queue = bullQueue(env, queueName, redis);
  const [total, jobs] = await Promise.all([
    queue.getJobCountByTypes('failed'),
    queue.getFailed(page.offset, page.offset + page.limit - 1),
  ]);
  return {
    total,
    jobs: jobs.map((job) =>
      FailedJobSchema.parse({
        id: job.id,
        name: job.name,
        failedReason: job.failedReason ?? '',
        attemptsMade: job.attemptsMade,
        failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
        createdAt: new Date(job.timestamp).toISOString(),
      }),
    ),
  };
}

/** Failed jobs read for grouping: the newest this many (each is a Redis hash read). */
export const FAILURE_GROUP_SAMPLE = 500;

/** The newest failed jobs grouped by message, most frequent first, with how many of all failed were read. */
export async function groupFailedJobs(
  env: Environment,
  queueName: string,
  redis: Redis = queueRedis(env),
): Promise<{ total: number; sampled: number; groups: FailureGroup[] }> {
  const queue = bullQueue(env, queueName, redis);
  const [total, jobs] = await Promise.all([
    queue.getJobCountByTypes('failed'),
    queue.getFailed(0, FAILURE_GROUP_SAMPLE - 1),
  ]);
  const groups = new Map<string, FailureGroup>();
  for (const job of jobs) {
    const message = (job.failedReason ?? '').split('\n')[0].slice(0, 300) || '(no message)';
    const failedAt = job.finishedOn ? new Date(job.finishedOn).toISOString() : null;
    const group = groups.get(message);
    if (group) {
      group.count++;
      if (failedAt && (!group.latestAt || failedAt > group.latestAt)) group.latestAt = failedAt;
    } else {
      groups.set(message, FailureGroupSchema.parse({ message, count: 1, latestAt: failedAt, sampleJobId: job.id }));
    }
  }
  return {
    total,
    sampled: jobs.length,
    groups: [...groups.values()].sort((a, b) => b.count - a.count || a.message.localeCompare(b.message)),
  };
}

/** A job's data and result are shown cut to this many characters. */
export const JOB_TEXT_LIMIT = 4_000;

/**
 * A real job, not one of BullMQ's own keys: `getJob('meta')` reads the queue's meta hash (and
 * `remove` would delete it), so an id must name a hash that has a job's fields.
 */
async function findJob(queue: Queue, id: string) {
  if (!/^[A-Za-z0-9:_-]{1,128}$/.test(id)) return null;
  const job = await queue.getJob(id);
  return job && typeof job.name === 'string' && job.name !== '' && job.timestamp > 0 ? job : null;
}

/** One job of a queue, or null when the queue has no job with that id. */
export async function getJob(
  env: Environment,
  queueName: string,
  id: string,
  redis: Redis = queueRedis(env),
): Promise<JobDetail | null> {
  const queue = bullQueue(env, queueName, redis);
  const job = await findJob(queue, id);
  if (!job) return null;
  const logs = await queue.getJobLogs(id, -JOB_LOG_LINES, -1);
  const cut = (value: unknown) => {
    const text = JSON.stringify(value, null, 2) ?? 'null';
    return text.length > JOB_TEXT_LIMIT ? `${text.slice(0, JOB_TEXT_LIMIT)}… (${text.length} characters)` : text;
  };
  return JobDetailSchema.parse({
    id: job.id,
    name: job.name,
    state: await job.getState(),
    attemptsMade: job.attemptsMade,
    data: cut(job.data),
    returnValue: job.returnvalue === undefined || job.returnvalue === null ? null : cut(job.returnvalue),
    failedReason: job.failedReason || null,
    stacktrace: job.stacktrace ?? [],
    createdAt: new Date(job.timestamp).toISOString(),
    processedAt: job.processedOn ? new Date(job.processedOn).toISOString() : null,
    finishedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
    logs: logs.logs.map((line) => line.slice(0, 2_000)),
    logCount: logs.count,
  });
}

/** Log lines shown on the job page: the newest. */
export const JOB_LOG_LINES = 100;

/** The queue control an operator has, through BullMQ's own Queue and Job methods. */
export type QueueAction = 'pause' | 'resume' | 'retry-failed';
export type JobAction = 'retry' | 'remove';

/** Pauses or resumes a queue, or moves every failed job back to waiting; what it did, in words. */
export async function controlQueue(
  env: Environment,
  queueName: string,
  action: QueueAction,
  redis: Redis = queueRedis(env),
): Promise<string> {
  const queue = bullQueue(env, queueName, redis);
  switch (action) {
    case 'pause':
      await queue.pause();
      return `paused ${queueName}`;
    case 'resume':
      await queue.resume();
      return `resumed ${queueName}`;
    case 'retry-failed': {
      const failed = await queue.getJobCountByTypes('failed');
      await queue.retryJobs({ state: 'failed' });
      return `moved ${failed} failed job${failed === 1 ? '' : 's'} of ${queueName} back to waiting`;
    }
  }
}

/**
 * Retries or removes one failed job; null when the queue has no such job. Both need it failed:
 * a waiting or running job is someone's work in progress, not the operator's to drop.
 */
export async function controlJob(
  env: Environment,
  queueName: string,
  id: string,
  action: JobAction,
  redis: Redis = queueRedis(env),
): Promise<string | null> {
  const queue = bullQueue(env, queueName, redis);
  const job = await findJob(queue, id);
  if (!job) return null;
  const state = await job.getState();
  if (state !== 'failed')
    throw new AppError(
      'conflict',
      `job ${id} is ${state}, not failed: only a failed job can be ${action === 'retry' ? 'retried' : 'removed'}`,
    );
  if (action === 'retry') {
    await job.retry('failed');
    return `retried job ${id} of ${queueName}`;
  }
  await job.remove();
  return `removed job ${id} from ${queueName}`;
}
