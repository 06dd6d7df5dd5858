/**
 * The BullMQ workers of one process, one per job kind, around one shared Chromium.
 * Shutdown (SIGTERM on Fargate): stop taking jobs, let running ones finish within the
 * grace period, hand the rest back to the queue (not failed, not counted as an attempt),
 * then close the browser.
 */
import { hostname } from 'node:os';
import { MetricsTime, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { JOB_INPUTS, JobData, JOB_KINDS, type JobDataOf, type JobKind, type JobResult } from '../contracts/jobs.js';
import { JobAbandonedError } from './errors/job-abandoned-error.js';
import { JobTimeoutError } from './errors/job-timeout-error.js';
import { failedOnItsOwn } from './evidence.js';
import { PROCESSORS, type KindJob, type Processor, type ProcessorDeps } from './processors/index.js';
import { parseInput } from './processors/render.js';

export type JobWorkersOptions = {
  connection: () => Redis;
  concurrency: number;
  jobTimeoutMs: number;
  stopGraceMs: number;
  /** BullMQ's lockDuration; stalled jobs are looked for as often. */
  lockMs?: number;
  logger: Logger;
  kinds?: readonly JobKind[];
};

const SHUTDOWN = 'shutdown';
const TIMEOUT = 'timeout';
/** After an abort, how long a processor may take to wind down (close its context) before its job is let go. */
const ABANDON_AFTER_ABORT_MS = 5_000;

export function startJobWorkers(deps: ProcessorDeps, options: JobWorkersOptions) {
  const { logger } = options;

  /** Set first thing on close(): a job BullMQ hands over after that goes straight back. */
  let stopping = false;

  async function run(job: Job, token: string | undefined, bullSignal: AbortSignal | undefined): Promise<JobResult> {
    if (stopping) {
      // BullMQ's blocking fetch can still return a job that arrived as close() began; it was
      // not started, so it is handed back untouched (no attempt counted) for another worker.
      await job.moveToWait(token);
      logger.info({ jobId: job.id }, 'job arrived while stopping; handed back untouched');
      throw new WaitingError();
    }
    // The job's data is checked once, here, against the contract: bad data can never succeed,
    // so it fails for good; the processor is handed the job with its typed, defaulted input.
    const data = JobData.safeParse(job.data);
    if (!data.success) throw new UnrecoverableError(`invalid job data: ${data.error.issues[0]?.message}`);
    const controller = new AbortController();
    const onCancel = () => controller.abort(bullSignal?.reason ?? SHUTDOWN);
    bullSignal?.addEventListener('abort', onCancel, { once: true });
    const timer = setTimeout(() => controller.abort(TIMEOUT), options.jobTimeoutMs);
    const log = logger.child({ jobId: job.id, kind: data.data.kind, attempt: job.attemptsMade + 1 });
    log.info('job started');
    // The job's own log (job.log in Redis): what the control plane's job page shows per attempt.
    const jobLog = (line: string) =>
      job.log(`${new Date().toISOString()} attempt ${job.attemptsMade + 1}: ${line}`).catch(() => {});
    await jobLog(`started on ${hostname()}`);
    // The processor honours the signal; this also frees the job's slot if something under it
    // (Chromium) stops answering and never settles.
    const abandoned = new Promise<never>((_, reject) => {
      controller.signal.addEventListener(
        'abort',
        () =>
          setTimeout(
            () => reject(new JobAbandonedError(`job abandoned: ${String(controller.signal.reason)}`)),
            ABANDON_AFTER_ABORT_MS,
          ).unref(),
        { once: true },
      );
    });
    abandoned.catch(() => {});
    try {
      // Inside the try: a job whose input its kind refuses is logged as failed for good, like any failure.
      const kind = data.data.kind;
      job.data = { ...data.data, input: parseInput(JOB_INPUTS[kind], data.data.input) } satisfies JobDataOf<
        typeof kind
      >;
      const processor = PROCESSORS[kind] as Processor<JobKind>;
      const result = await Promise.race([processor(deps, job as KindJob<JobKind>, controller.signal), abandoned]);
      await job.updateProgress(100);
      log.info({ totalMs: result.timings.totalMs, bytes: result.artifact.bytes }, 'job completed');
      await jobLog(
        `completed in ${result.timings.totalMs} ms (navigation ${result.timings.navigationMs} ms), ${result.artifact.bytes} bytes stored`,
      );
      return result;
    } catch (err) {
      if (controller.signal.reason === SHUTDOWN) {
        // Hand the job back: another worker runs it from the start.
        await job.moveToWait(token);
        log.warn('job handed back to the queue at shutdown');
        throw new WaitingError();
      }
      // A page that failed on its own and was still keeping its evidence when the timer fired: its own error stands.
      if (controller.signal.reason === TIMEOUT && !failedOnItsOwn(err)) {
        log.error({ timeoutMs: options.jobTimeoutMs }, 'job timed out');
        throw new JobTimeoutError(`job timed out after ${options.jobTimeoutMs} ms`);
      }
      // An error line: what the control plane's top errors (Logs Insights, level >= 50) count.
      log.error({ err: (err as Error).message, retryable: !(err instanceof UnrecoverableError) }, 'job failed');
      await jobLog(`failed${err instanceof UnrecoverableError ? ' for good' : ''}: ${(err as Error).message}`);
      throw err;
    } finally {
      clearTimeout(timer);
      bullSignal?.removeEventListener('abort', onCancel);
      deps.proxy.forget(job.id!); // nothing kept for a job outlives it
    }
  }

  // BullMQ leaves connections it was given open on close(); these are ours to quit.
  const connections: Redis[] = [];
  const workers = (options.kinds ?? JOB_KINDS).map(
    (kind) =>
      new Worker(kind, run, {
        connection: connections[connections.push(options.connection()) - 1],
        concurrency: options.concurrency,
        ...(options.lockMs ? { lockDuration: options.lockMs, stalledInterval: options.lockMs } : {}),
        // Per-minute completed/failed counts, read by the control plane (lib/queue.ts).
        metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
      }),
  );
  for (const worker of workers) {
    worker.on('error', (err) => logger.error({ err: err.message, queue: worker.name }, 'worker error'));
  }

  let closing: Promise<void> | null = null;
  return {
    workers,
    /** Stops taking jobs, waits up to stopGraceMs for running ones, hands back the rest. */
    close(): Promise<void> {
      stopping = true;
      closing ??= (async () => {
        // With Redis gone no job can be acknowledged or handed back: waiting for them, or for
        // BullMQ to close its connections, only delays the stop (ECS would SIGKILL at 30 s).
        if (connections.every((c) => c.status !== 'ready')) {
          logger.warn(
            'redis unreachable: stopping without waiting for running jobs (they will be retried once their lock expires)',
          );
          for (const worker of workers) worker.cancelAllJobs(SHUTDOWN);
          await Promise.race([
            Promise.all(workers.map((w) => w.close(true).catch(() => {}))),
            new Promise((r) => setTimeout(r, 1_000).unref()),
          ]);
          for (const c of connections) c.disconnect();
          return;
        }
        const grace = setTimeout(() => {
          logger.warn('stop grace period over; handing running jobs back');
          for (const worker of workers) worker.cancelAllJobs(SHUTDOWN);
        }, options.stopGraceMs);
        await Promise.all(workers.map((w) => w.close()));
        clearTimeout(grace);
        // QUIT waits for Redis's answer; a Redis that is gone must not hold the stop.
        const quit = Promise.all(connections.map((c) => c.quit().catch(() => {})));
        await Promise.race([quit, new Promise((r) => setTimeout(r, 2_000).unref())]);
        for (const c of connections) c.disconnect();
      })();
      return closing;
    },
  };
}
