import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { getQueueStats, listFailedJobs } from '@/lib/queue';
import { seededEnvironment } from '../support/aws';

const DB = 6;
const connection = () => {
  const { hostname, port } = new URL(inject('redisUrl'));
  return { host: hostname, port: Number(port), db: DB };
};
const redis = new Redis(`${inject('redisUrl')}/${DB}`);
const env = () => ({
  ...seededEnvironment('staging'),
  queues: { names: ['mixed', 'worked', 'empty'], redisUrl: `${inject('redisUrl')}/${DB}` },
});
const queues: Queue[] = [];
let firstAddedAt = 0;

beforeAll(async () => {
  await redis.flushdb();
  const mixed = new Queue('mixed', { connection: connection() });
  const worked = new Queue('worked', { connection: connection() });
  queues.push(mixed, worked);

  firstAddedAt = Date.now();
  await mixed.add('a', { n: 1 });
  await mixed.add('a', { n: 2 });
  await mixed.add('a', { n: 3 });
  await mixed.add('later', {}, { delay: 60_000 });
  await mixed.add('urgent', {}, { priority: 5 });

  await worked.addBulk([
    { name: 'good', data: {} },
    { name: 'good', data: {} },
    { name: 'bad', data: {}, opts: { attempts: 3 } },
  ]);
  const worker = new Worker(
    'worked',
    async (job) => {
      if (job.name === 'bad') throw new UnrecoverableError('target answered 404');
      return 'ok';
    },
    { connection: connection(), metrics: { maxDataPoints: 60 } },
  );
  await new Promise<void>((resolve) => {
    let finished = 0;
    const done = () => ++finished === 3 && resolve();
    worker.on('completed', done);
    worker.on('failed', done);
  });
  await worker.close();
  await worked.add('good', {}); // waits: no worker any more
});

afterAll(async () => {
  await Promise.all(queues.map((q) => q.close()));
  redis.disconnect();
});

describe('lib/queue', () => {
  it('reads counts per state for every queue, matching BullMQ’s own counts', async () => {
    const stats = await getQueueStats(env(), redis);
    expect(stats.map((s) => s.name)).toEqual(['mixed', 'worked', 'empty']);
    for (const [i, queue] of queues.entries()) {
      const bull = await queue.getJobCounts(
        'waiting',
        'active',
        'delayed',
        'prioritized',
        'waiting-children',
        'completed',
        'failed',
      );
      expect(stats[i].counts, queue.name).toEqual({
        waiting: bull.waiting,
        active: bull.active,
        delayed: bull.delayed,
        prioritized: bull.prioritized,
        waitingChildren: bull['waiting-children'],
        completed: bull.completed,
        failed: bull.failed,
      });
    }
    expect(stats[0].counts).toMatchObject({ waiting: 3, delayed: 1, prioritized: 1 });
    expect(stats[1].counts).toMatchObject({ waiting: 1, completed: 2, failed: 1 });
  });

  it('reads the whole environment in one pipelined round trip, plus one for the oldest jobs', async () => {
    const counted = new Redis(`${inject('redisUrl')}/${DB}`);
    const pipelines: number[] = [];
    const pipeline = counted.pipeline.bind(counted);
    counted.pipeline = ((commands?: unknown[][]) => {
      const p = pipeline(commands as never);
      const exec = p.exec.bind(p);
      p.exec = (async () => {
        pipelines.push(p.length);
        return exec();
      }) as typeof p.exec;
      return p;
    }) as typeof counted.pipeline;
    try {
      await getQueueStats(env(), counted);
    } finally {
      counted.disconnect();
    }
    expect(pipelines).toEqual([3 * 14, 3]);
  });

  it('gives the age of the job that has waited longest, and null for an empty queue', async () => {
    const now = Date.now();
    const [mixed, , empty] = await getQueueStats(env(), redis, now);
    expect(mixed.oldestWaitingAgeMs).toBeGreaterThanOrEqual(now - firstAddedAt - 50);
    expect(mixed.oldestWaitingAgeMs).toBeLessThanOrEqual(now - firstAddedAt + 1000);
    expect(empty).toMatchObject({ oldestWaitingAgeMs: null, paused: false, counts: { waiting: 0, failed: 0 } });
  });

  it('shows a paused queue as paused, its jobs still waiting', async () => {
    await queues[0].pause();
    try {
      const [mixed] = await getQueueStats(env(), redis);
      expect(mixed.paused).toBe(true);
      expect(mixed.counts.waiting).toBe(3);
    } finally {
      await queues[0].resume();
    }
  });

  it('pages the failed jobs with their reason and attempts', async () => {
    const page = await listFailedJobs(env(), 'worked', { offset: 0, limit: 10 }, redis);
    expect(page.total).toBe(1);
    expect(page.jobs[0]).toMatchObject({ name: 'bad', failedReason: 'target answered 404', attemptsMade: 1 });
  });

  it('shows throughput falling to zero after the workers stop, not the last busy minute as current', async () => {
    const finishedAt = Date.now();
    const [, idle] = await getQueueStats(env(), redis, finishedAt + 5 * 60_000); // five idle minutes later
    // The three jobs that finished are counted once, in the minute(s) they finished in...
    const completed = idle.completedPerMinute.reduce((a, b) => a + b, 0);
    const failed = idle.failedPerMinute.reduce((a, b) => a + b, 0);
    expect([completed, failed]).toEqual([2, 1]);
    // ...and the minutes since, with no worker, show none.
    expect(idle.completedPerMinute.slice(-4)).toEqual([0, 0, 0, 0]);
    expect(idle.failedPerMinute.slice(-4)).toEqual([0, 0, 0, 0]);
  });
});
