/**
 * Creating and reading jobs for the api: idempotent enqueue, owner-checked reads, and the
 * state a client sees. The queue contract (../contract.ts) is the only shape shared with the worker.
 */
import { Queue, type Job, type JobProgress, type QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { legacyServiceKeys, serviceKeys } from '../../contracts/keys.js';
import { ConflictError } from '../errors/conflict-error.js';
import { JOBS_INDEXED_PER_HOST } from '../../contracts/platform.js';
import {
  DEFAULT_JOB_OPTIONS,
  JOB_KINDS,
  jobKindOf,
  JobResult,
  type CreateJobBody,
  type JobData,
  type JobKind,
} from '../../contracts/jobs.js';

/** How long an idempotency key holds its job (Stripe keeps theirs 24 h). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

export { ConflictError } from '../errors/conflict-error.js';

export type JobView = {
  id: string;
  kind: JobKind;
  state: string;
  progress: JobProgress;
  attempts: number;
  result: JobResult | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
};

export function createQueues(connection: Redis): Record<JobKind, Queue> {
  return Object.fromEntries(
    JOB_KINDS.map((kind) => [kind, new Queue(kind, { connection, defaultJobOptions: DEFAULT_JOB_OPTIONS })]),
  ) as Record<JobKind, Queue>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Where an API key's Idempotency-Key is remembered (the key itself is hashed: it may be anything). */
export function idempotencyRedisKey(owner: string, idempotencyKey: string): string {
  return serviceKeys.idempotency(owner, sha256(idempotencyKey));
}

// Copies a record kept under the key's old name (contracts/keys.ts legacyServiceKeys) to its new
// name, with its remaining life, unless the new name has one: a retry across the deploy that
// moved the keys still finds its first job.
const ADOPT_LEGACY_RECORD = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local record = redis.call('GET', KEYS[2])
local ttl = redis.call('PTTL', KEYS[2])
if not record or ttl <= 0 then return 0 end
redis.call('SET', KEYS[1], record, 'PX', ttl, 'NX')
return 1`;

async function adoptLegacyRecord(redis: Redis, owner: string, idempotencyKey: string): Promise<void> {
  const hashed = sha256(idempotencyKey);
  await redis.eval(
    ADOPT_LEGACY_RECORD,
    2,
    serviceKeys.idempotency(owner, hashed),
    legacyServiceKeys.idempotency(owner, hashed),
  );
}

/** The hash a repeat is compared by: of the body as the client sent it, before defaults. */
export const requestBodyHash = (body: unknown) => sha256(JSON.stringify(body ?? null));

const IdempotencyRecord = z.object({
  bodyHash: z.string(),
  jobId: z.string(),
  /** The first answer, once the job was enqueued; absent while (or if) the first request never got there. */
  response: z.unknown().optional(),
});

export type Replay = { kind: 'replay'; response: unknown } | { kind: 'conflict' } | { kind: 'proceed' };

/**
 * Before anything else runs for a request with an Idempotency-Key: a repeat of a request that
 * was answered gets the stored answer (no rate limit, no URL check, no second job); the same
 * key with another body is a conflict; anything else proceeds to `enqueueJob`.
 */
export async function checkIdempotency(
  redis: Redis,
  owner: string,
  idempotencyKey: string,
  bodyHash: string,
): Promise<Replay> {
  await adoptLegacyRecord(redis, owner, idempotencyKey);
  const raw = await redis.get(idempotencyRedisKey(owner, idempotencyKey));
  if (raw === null) return { kind: 'proceed' };
  const record = IdempotencyRecord.safeParse(JSON.parse(raw));
  if (!record.success) return { kind: 'proceed' };
  if (record.data.bodyHash !== bodyHash) return { kind: 'conflict' };
  return record.data.response === undefined ? { kind: 'proceed' } : { kind: 'replay', response: record.data.response };
}

/**
 * Enqueues a job once per (owner, idempotency key). The key is claimed with the body's hash
 * and a fresh job id (SET NX: one claim wins); a repeat, a retry after a crash between claim
 * and enqueue, and a concurrent request all add THAT job id, and BullMQ adds a job id once.
 * The answer is stored for later repeats. A key reused after its record expired gets a new job.
 */
export async function enqueueJob(
  redis: Redis,
  queues: Record<JobKind, Queue>,
  owner: string,
  body: CreateJobBody,
  idempotency: { key: string; bodyHash: string } | undefined,
): Promise<{ job: JobView; replayed: boolean }> {
  let jobId = `${body.kind}-${randomUUID()}`;
  const idemKey = idempotency ? idempotencyRedisKey(owner, idempotency.key) : null;
  let repeat = false;
  if (idemKey && idempotency) {
    await adoptLegacyRecord(redis, owner, idempotency.key);
    const claimed = await redis.set(
      idemKey,
      JSON.stringify({ bodyHash: idempotency.bodyHash, jobId }),
      'EX',
      IDEMPOTENCY_TTL_SECONDS,
      'NX',
    );
    if (claimed === null) {
      const existing = IdempotencyRecord.safeParse(JSON.parse((await redis.get(idemKey)) ?? '{}'));
      if (existing.success && existing.data.bodyHash !== idempotency.bodyHash)
        throw new ConflictError('this Idempotency-Key was used with a different body');
      if (existing.success) jobId = existing.data.jobId; // the claimed job, enqueued or not yet
      repeat = true; // a concurrent repeat, or a retry after the first request failed before answering
    }
  }
  const data: JobData = { kind: body.kind, input: body.input, owner, createdAt: new Date().toISOString() };
  // A job id that exists already is not added again (BullMQ's addJob): repeats share one job.
  await queues[body.kind].add(body.kind, data, { jobId });
  // Repeats too (NX keeps the first time): a retry after a failure between add and index still indexes it.
  await indexByHost(redis, body.input.url, jobId, Date.now());
  const view = (repeat ? await getJob(queues, owner, jobId) : null) ?? pendingView(jobId, body.kind, data.createdAt);
  if (idemKey && idempotency) {
    await redis.set(
      idemKey,
      JSON.stringify({ bodyHash: idempotency.bodyHash, jobId, response: view }),
      'EX',
      IDEMPOTENCY_TTL_SECONDS,
    );
  }
  return { job: view, replayed: repeat };
}

/** Adds the job to its host's index (contracts/platform.ts), newest kept; the index lives as long as failed jobs do. */
export async function indexByHost(redis: Redis, url: string, jobId: string, at: number): Promise<void> {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return; // the url was checked before; nothing to index if it cannot be parsed
  }
  const key = serviceKeys.jobsByHost(host);
  await redis
    .multi()
    .zadd(key, 'NX', at, jobId)
    .zremrangebyrank(key, 0, -JOBS_INDEXED_PER_HOST - 1)
    .expire(key, DEFAULT_JOB_OPTIONS.removeOnFail.age)
    .exec();
}

function pendingView(id: string, kind: JobKind, createdAt = new Date().toISOString()): JobView {
  return {
    id,
    kind,
    state: 'waiting',
    progress: 0,
    attempts: 0,
    result: null,
    error: null,
    createdAt,
    finishedAt: null,
  };
}

/** The job if it exists and belongs to `owner`; null otherwise (never says which). */
export async function getJob(queues: Record<JobKind, Queue>, owner: string, id: string): Promise<JobView | null> {
  const queue = queues[jobKindOf(id)];
  // State first, then the job: read the other way round, a job finishing in between shows
  // as completed with no result yet. This way it can only show as active with its result.
  const state = await queue.getJobState(id);
  const job = await queue.getJob(id);
  if (!job || job.data?.owner !== owner) return null;
  return toView(job, state);
}

export function toView(job: Job, state: string): JobView {
  const result = JobResult.safeParse(job.returnvalue);
  return {
    id: job.id!,
    kind: job.data.kind,
    state,
    progress: job.progress,
    attempts: job.attemptsMade,
    result: result.success ? result.data : null,
    error: job.failedReason || null,
    createdAt: new Date(job.timestamp).toISOString(),
    finishedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
  };
}

/**
 * Follows one job until it ends: calls `send` with the current state, then with each
 * progress, and once with `completed` or `failed`. Resolves when the job has ended.
 */
export async function followJob(
  queues: Record<JobKind, Queue>,
  events: Record<JobKind, QueueEvents>,
  owner: string,
  id: string,
  send: (event: string, data: unknown) => void,
  signal: AbortSignal,
): Promise<void> {
  const kind = jobKindOf(id);
  const queueEvents = events[kind];
  let finish!: () => void;
  const ended = new Promise<void>((resolve) => (finish = resolve));
  const finalState = async () => {
    try {
      const view = await getJob(queues, owner, id);
      if (view) send(view.state, view);
    } catch {
      // Redis failed as the job ended: the client reconnects or reads GET /api/jobs/:id.
      send('error', { code: 'unavailable', message: 'job state could not be read; retry GET /api/jobs/' + id });
    } finally {
      finish();
    }
  };
  const onProgress = ({ jobId, data }: { jobId: string; data: unknown }) => {
    if (jobId === id) send('progress', { id, progress: data });
  };
  const onEnd = ({ jobId }: { jobId: string }) => {
    if (jobId === id) void finalState();
  };
  // Subscribe before reading the state, so an end between the two is not missed.
  queueEvents.on('progress', onProgress);
  queueEvents.on('completed', onEnd);
  queueEvents.on('failed', onEnd);
  signal.addEventListener('abort', finish, { once: true });
  try {
    const view = await getJob(queues, owner, id);
    if (view) {
      send('state', view);
      if (view.state === 'completed' || view.state === 'failed') {
        send(view.state, view);
        finish();
      }
    }
    await ended;
  } finally {
    queueEvents.off('progress', onProgress);
    queueEvents.off('completed', onEnd);
    queueEvents.off('failed', onEnd);
  }
}
