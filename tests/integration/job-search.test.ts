/**
 * Job search over 2,000 jobs enqueued through the api's own enqueueJob (which indexes them by
 * host), some of them failed by a real BullMQ worker: by id, by host and by URL, across queues.
 * Correctness needs only enough jobs that a host has more than a page of them; the 10,000-job
 * timing is `npm run bench` (scripts/bench/job-search.ts).
 */
import { UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { legacyServiceKeys, serviceKeys } from '@/contracts/keys';
import { searchJobs } from '@/lib/job-search';
import { createQueues, enqueueJob } from '../../worker/api/jobs';
import { seededEnvironment } from '../support/aws';

const DB = 12;
const url = () => `${inject('redisUrl')}/${DB}`;
const redis = new Redis(url(), { maxRetriesPerRequest: null });
const env = () => ({
  ...seededEnvironment('staging'),
  queues: { names: ['screenshot', 'pdf', 'scrape'], redisUrl: url() },
});
const JOBS = 2_000;
const HOSTS = 20;
const ids: string[] = [];
let failedId = '';
let retryingId = '';

beforeAll(async () => {
  await redis.flushdb();
  const queues = createQueues(redis);
  const kinds = ['screenshot', 'pdf', 'scrape'] as const;
  for (let i = 0; i < JOBS; i += 250) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(250, JOBS - i) }, (_, j) => {
        const n = i + j;
        const kind = kinds[n % 3];
        return enqueueJob(
          redis,
          queues,
          'search-test',
          { kind, input: { url: `https://shop-${n % HOSTS}.example.com/item/${n}` } } as never,
          undefined,
        );
      }),
    );
    ids.push(...batch.map((b) => b.job.id));
  }
  // One job of host 7 fails for real.
  const target = ids.find((id, n) => n % HOSTS === 7 && id.startsWith('pdf-'))!;
  const workerConnection = new Redis(url(), { maxRetriesPerRequest: null });
  const worker = new Worker(
    'pdf',
    async (job) => {
      if (job.id === target) throw new Error('net::ERR_NAME_NOT_RESOLVED at https://shop-7.example.com/');
      await new Promise((r) => setTimeout(r, 1));
    },
    { connection: workerConnection, autorun: false },
  );
  const token = 'search';
  for (let done = 0; done < 10_000; done++) {
    const job = await worker.getNextJob(token);
    if (!job) break;
    if (!retryingId && job.id !== target) {
      // One attempt failed with attempts left: BullMQ holds it in `delayed` for its backoff.
      await job.moveToFailed(new Error('net::ERR_TIMED_OUT'), token);
      retryingId = job.id!;
      continue;
    }
    if (job.id === target) {
      // Failed for good (no retry), as the worker's processors fail a job that cannot succeed.
      await job.moveToFailed(
        new UnrecoverableError('net::ERR_NAME_NOT_RESOLVED at https://shop-7.example.com/'),
        token,
      );
      failedId = target;
      break;
    }
    await job.moveToCompleted('ok', token, false);
  }
  await worker.close();
  workerConnection.disconnect(); // BullMQ closes only the connections it made
  await Object.values(queues).reduce((p, q) => p.then(() => q.close()), Promise.resolve());
}, 120_000);

afterAll(() => redis.disconnect());

describe('job search over 2,000 jobs', () => {
  it('finds a job by its id in whichever queue holds it', async () => {
    const id = ids[1234];
    const found = await searchJobs(env(), id, redis);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      id,
      queue: id.split('-')[0],
      matchedBy: 'id',
      url: `https://shop-${1234 % HOSTS}.example.com/item/1234`,
    });
  });

  it('finds a host’s jobs, newest first, and only that host’s', async () => {
    const found = await searchJobs(env(), 'shop-12.example.com', redis);
    expect(found).toHaveLength(50); // 100 jobs have this host; the newest 50 are shown
    expect(found.every((m) => m.url!.startsWith('https://shop-12.example.com/'))).toBe(true);
    expect(found.every((m) => m.matchedBy === 'host')).toBe(true);
    const created = found.map((m) => m.createdAt!);
    expect(created).toEqual([...created].sort().reverse());
  });

  it('still finds a job indexed under the host index’s old key name (before the keys moved under ph:svc:)', async () => {
    const old = ids.find((id, n) => n % HOSTS === 3)!;
    const moved = serviceKeys.jobsByHost('shop-3.example.com');
    await redis.zrem(moved, old);
    await redis.zadd(legacyServiceKeys.jobsByHost('shop-3.example.com'), Date.now() + 60_000, old);
    try {
      const found = await searchJobs(env(), 'shop-3.example.com', redis);
      expect(found.map((m) => m.id)).toContain(old);
    } finally {
      await redis.zadd(moved, 0, old);
      await redis.del(legacyServiceKeys.jobsByHost('shop-3.example.com'));
    }
  });

  it('finds jobs by URL, and shows a failed one with its reason', async () => {
    const n = ids.indexOf(failedId);
    const found = await searchJobs(env(), `https://shop-7.example.com/item/${n}`, redis);
    expect(found.map((m) => m.id)).toContain(failedId);
    expect(found.find((m) => m.id === failedId)).toMatchObject({
      state: 'failed',
      failedReason: 'net::ERR_NAME_NOT_RESOLVED at https://shop-7.example.com/',
      matchedBy: 'url',
    });
  });

  it('shows a job waiting out its backoff as delayed, not active, though an attempt has run', async () => {
    const [found] = await searchJobs(env(), retryingId, redis);
    expect(found).toMatchObject({
      id: retryingId,
      state: 'delayed',
      attemptsMade: 1,
      failedReason: 'net::ERR_TIMED_OUT',
    });
  });

  it('answers nothing, not an error, for what matches no job, or names one of BullMQ’s own keys', async () => {
    for (const word of ['wait', 'events', 'failed', 'id', 'meta'])
      expect(await searchJobs(env(), word, redis), word).toEqual([]);
    expect(await searchJobs(env(), 'no-such-job-id', redis)).toEqual([]);
    expect(await searchJobs(env(), 'nowhere.example.org', redis)).toEqual([]);
    expect(await searchJobs(env(), 'https://nowhere.example.org/x', redis)).toEqual([]);
  });
});
