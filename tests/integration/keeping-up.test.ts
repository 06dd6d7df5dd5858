/**
 * "Is it keeping up?" against real BullMQ: the rates come from BullMQ's own counters sampled as
 * the refresher samples them (lib/queue-rates.ts, with the sample times given), a real worker
 * finishes the jobs, and the estimate is held against the drain that then really happens.
 */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { keepingUp } from '@/model/keeping-up';
import { getQueueStats } from '@/lib/queue';
import { withRates } from '@/lib/queue-rates';
import { seededEnvironment } from '../support/aws';

const DB = 10;
const url = () => `${inject('redisUrl')}/${DB}`;
/**
 * BullMQ counts a queue's workers with CLIENT LIST, which spans every database of the server:
 * a queue name no other file uses, so their `pdf` workers (on other databases) never count here.
 */
const QUEUE = 'keeping-up-pdf';
const redis = new Redis(url());
/** Connections handed to BullMQ, which closes only those it made itself. */
const connections: Redis[] = [];
const connection = () => {
  const made = new Redis(url(), { maxRetriesPerRequest: null });
  connections.push(made);
  return made;
};
const env = () => ({
  ...seededEnvironment('staging'),
  name: 'keeping-up',
  queues: { names: [QUEUE], redisUrl: url() },
});
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  await redis.flushdb();
});
afterAll(async () => {
  for (const close of closers.reverse()) await close();
  for (const made of connections) made.disconnect();
  redis.disconnect();
});

describe('keeping up, measured on a real BullMQ queue', () => {
  it('estimates the drain time within 10% of the drain that really happens at the measured rates', async () => {
    const queue = new Queue(QUEUE, { connection: connection() });
    // A worker that takes jobs only when told (autorun off), with BullMQ's metrics on, as ours runs.
    const worker = new Worker(QUEUE, null, {
      connection: connection(),
      autorun: false,
      metrics: { maxDataPoints: 10_080 },
    });
    closers.push(
      () => queue.close(),
      () => worker.close(),
    );
    let added = 0;
    const arrive = (n: number) =>
      queue.addBulk(Array.from({ length: n }, () => ({ name: QUEUE, data: { n: added++ } })));
    const finish = async (n: number) => {
      let done = 0;
      for (; done < n; done++) {
        const job = await worker.getNextJob('token');
        if (!job) break;
        await job.moveToCompleted('ok', 'token', false);
      }
      return done;
    };
    // A generated load: an uneven arrival (about 20 a minute) against 50 finished a minute.
    const arrivals = [14, 26, 19, 23, 17, 21];
    const minute = async (m: number) => {
      await arrive(arrivals[m % arrivals.length]);
      return finish(50);
    };
    await arrive(300);

    const t0 = Date.now();
    const sample = async (at: number) => withRates(env().name, await getQueueStats(env(), redis, at), redis, at);
    await sample(t0);
    for (let m = 0; m < 3; m++) await minute(m);
    const [measured] = await sample(t0 + 3 * 60_000);
    expect(measured.rates).toMatchObject({ windowSeconds: 180 });
    expect(measured.rates!.finishedPerMinute).toBeCloseTo(50, 5);
    expect(measured.rates!.arrivedPerMinute).toBeCloseTo((14 + 26 + 19) / 3, 5);
    const estimate = keepingUp(measured, null);
    expect(estimate.trend).toBe('draining');

    // The truth: keep the same load going and count the minutes until nothing waits.
    let minutes = 0;
    for (let m = 3; (await queue.getWaitingCount()) > 0; m++) {
      const waitingBefore = (await queue.getWaitingCount()) + arrivals[m % arrivals.length];
      const finished = await minute(m);
      minutes += finished < 50 ? waitingBefore / 50 : 1; // the last, partial minute
      expect(m, 'the queue drains').toBeLessThan(100);
    }
    expect(
      Math.abs(estimate.drainMinutes! - minutes) / minutes,
      JSON.stringify({ estimate: estimate.drainMinutes, minutes }),
    ).toBeLessThan(0.1);
    await worker.close();
  });

  it('raises the no-consumer signal on the first read after the last worker leaves while jobs wait', async () => {
    const queue = new Queue(QUEUE, { connection: connection() });
    closers.push(() => queue.close());
    await queue.obliterate({ force: true });
    await queue.addBulk([1, 2, 3].map((n) => ({ name: QUEUE, data: { n } })));
    const read = async () => keepingUp((await getQueueStats(env(), redis))[0], null);
    expect(await read()).toMatchObject({
      workers: 0,
      signal: { kind: 'no-consumer', message: '3 jobs wait and no worker is connected' },
    });

    // A worker connects (it takes nothing: its lock holds the first job while we look).
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const worker = new Worker(QUEUE, () => held, { connection: connection(), concurrency: 1 });
    await worker.waitUntilReady();
    await expect.poll(async () => (await read()).workers).toBe(1);
    expect((await read()).signal).toBeNull();

    release();
    await worker.close();
    await queue.add(QUEUE, { n: 4 });
    const after = await read();
    expect(after.workers).toBe(0);
    expect(after.signal?.kind).toBe('no-consumer');
  });
});
