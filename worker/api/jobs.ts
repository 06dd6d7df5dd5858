/**
 * Creating and reading jobs for the api: idempotent enqueue, owner-checked reads, and the
 * state a client sees. The queue contract (../contract.ts) is the only shape shared with the worker.
 */
import { Queue, type Job, type JobProgress, type QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { createHash, randomUUID } from 'node:crypto';
import { DEFAULT_JOB_OPTIONS, JOB_KINDS, jobKindOf, JobResult, type CreateJobBody, type JobData, type JobKind } from '../contract.js';

/** How long an idempotency key holds its job (Stripe keeps theirs 24 h). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

export class ConflictError extends Error {}

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

/**
 * Enqueues a job once per (owner, idempotency key): a retried POST with the same key and
 * body gets the first job back; the same key with another body is a conflict.
 */
export async function enqueueJob(
  redis: Redis,
  queues: Record<JobKind, Queue>,
  owner: string,
  body: CreateJobBody,
  idempotencyKey: string | undefined,
): Promise<{ job: JobView; replayed: boolean }> {
  const jobId = `${body.kind}-${randomUUID()}`;
  const bodyHash = sha256(JSON.stringify(body));
  const idemKey = idempotencyKey ? `ph:idem:${owner}:${sha256(idempotencyKey)}` : null;
  if (idemKey) {
    const claimed = await redis.set(idemKey, JSON.stringify({ jobId, bodyHash }), 'EX', IDEMPOTENCY_TTL_SECONDS, 'NX');
    if (claimed === null) {
      const existing = JSON.parse((await redis.get(idemKey)) ?? '{}') as { jobId?: string; bodyHash?: string };
      if (existing.bodyHash !== bodyHash) throw new ConflictError('this Idempotency-Key was used with a different body');
      const job = existing.jobId ? await getJob(queues, owner, existing.jobId) : null;
      if (job) return { job, replayed: true };
      // The first request claimed the key but has not enqueued yet (or failed to): same answer.
      return { job: pendingView(existing.jobId!, body.kind), replayed: true };
    }
  }
  const data: JobData = { kind: body.kind, input: body.input, owner, createdAt: new Date().toISOString() };
  try {
    await queues[body.kind].add(body.kind, data, { jobId });
  } catch (err) {
    if (idemKey) await redis.del(idemKey).catch(() => {});
    throw err;
  }
  return { job: pendingView(jobId, body.kind, data.createdAt), replayed: false };
}

function pendingView(id: string, kind: JobKind, createdAt = new Date().toISOString()): JobView {
  return { id, kind, state: 'waiting', progress: 0, attempts: 0, result: null, error: null, createdAt, finishedAt: null };
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
    const view = await getJob(queues, owner, id);
    if (view) send(view.state, view);
    finish();
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
