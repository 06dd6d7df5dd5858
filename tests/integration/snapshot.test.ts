import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECSClient } from '@aws-sdk/client-ecs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { clientFor } from '@/lib/aws/clients';
import { createCache } from '@/lib/cache';
import { closeQueueRedis } from '@/lib/queue';
import { getEnvironmentSnapshot, getQueueDepth } from '@/lib/snapshot';
import { type startGithubStandin, freePort } from '../../scripts/platform';
import { countCommands, eventually, pointDataLayerAtLocalPlatform, seededEnvironment } from '../support/aws';

const redis = new Redis(`${inject('redisUrl')}/7`);
let github: Awaited<ReturnType<typeof startGithubStandin>>;

beforeAll(async () => {
  github = await pointDataLayerAtLocalPlatform('ghs_snapshot');
  await redis.flushdb();
});
afterAll(async () => {
  redis.disconnect();
  closeQueueRedis(); // the snapshot's queue reads
  await github?.close();
});

describe('lib/snapshot', () => {
  it('assembles every part of an environment, then serves it from the cache without calling AWS again', async () => {
    const env = seededEnvironment('staging');
    const cache = createCache(redis);
    const ecsCalls = countCommands(clientFor(ECSClient, env));
    const cwCalls = countCommands(clientFor(CloudWatchClient, env));

    const first = await getEnvironmentSnapshot(env, cache);
    const second = await getEnvironmentSnapshot(env, cache);

    for (const part of [
      'ecs',
      'targets',
      'queues',
      'metrics',
      'scaling',
      'images',
      'parameters',
      'deployRuns',
    ] as const) {
      expect(first[part].error, `${part}: ${JSON.stringify(first[part].error)}`).toBeNull();
      expect(first[part].value, part).not.toBeNull();
    }
    expect(first.ecs.value!.services.map((s) => s.role)).toEqual(['api', 'worker']);
    expect(first.queues.value!.map((q) => q.name)).toEqual(['screenshot', 'pdf', 'scrape']);
    expect(first.deployRuns.value).toHaveLength(2);
    expect(second.ecs.value).toEqual(first.ecs.value);
    expect(Object.fromEntries(ecsCalls)).toEqual({ DescribeServicesCommand: 1 });
    expect(Object.fromEntries(cwCalls)).toEqual({ GetMetricDataCommand: 1 });
  });

  it('a slow source does not hold back the others: past the grace its part is pending, and its load goes on to fill the cache', async () => {
    const env = { ...seededEnvironment('staging'), name: 'slow-metrics' };
    const cache = createCache(redis);
    // CloudWatch held until the test lets it answer: a cold GetMetricData that takes its time.
    let answer!: () => void;
    const held = new Promise<void>((resolve) => (answer = resolve));
    let asked = 0;
    clientFor(CloudWatchClient, env).middlewareStack.add(
      (next) => async (args) => {
        asked++;
        await held;
        return next(args);
      },
      { step: 'initialize', name: 'slowCloudWatch' },
    );
    try {
      const snapshot = await getEnvironmentSnapshot(env, cache, { graceMs: 300 });
      // Returned while CloudWatch was still held: metrics pending (no value, no error), the rest in.
      expect(asked).toBe(1);
      expect(snapshot.metrics).toMatchObject({ value: null, error: null, fetchedAt: null });
      expect(snapshot.ecs.value!.services.map((s) => s.role)).toEqual(['api', 'worker']);
      expect(snapshot.targets.value!.targetGroups[0].targets.length).toBeGreaterThan(0);
      expect(snapshot.queues.value!.map((q) => q.name)).toEqual(['screenshot', 'pdf', 'scrape']);
      answer();
      // The load the page stopped waiting for completes and fills the cache: the next read has it, without asking again.
      const filled = await eventually(
        () => getEnvironmentSnapshot(env, cache, { graceMs: 300 }),
        (s) => s.metrics.value !== null,
      );
      expect(filled.metrics.error).toBeNull();
      expect(asked).toBe(1);
    } finally {
      answer();
      clientFor(CloudWatchClient, env).middlewareStack.remove('slowCloudWatch');
    }
  });

  it("reads one queue's jobs waiting over time: its own series of the backlog the worker publishes, nothing for a queue with none", async () => {
    const env = seededEnvironment('staging');
    const cache = createCache(redis);
    const cwCalls = countCommands(clientFor(CloudWatchClient, env));
    const depth = await getQueueDepth(env, 'screenshot', 180, cache);
    expect(depth.error).toBeNull();
    expect(depth.value).toMatchObject({ rangeMinutes: 180, periodSeconds: 60 });
    const values = depth.value!.series.find((s) => s.id === 'queue_depth')!.values;
    // The seeded history is minute by minute up to the seeding (the global setup, minutes before):
    // most minutes of the 3 hours have a point.
    expect(values.filter((v) => v !== null).length).toBeGreaterThan(100);
    expect(values.every((v) => v === null || (Number.isInteger(v) && v >= 0))).toBe(true);
    const none = await getQueueDepth(env, 'no-such-queue', 180, cache);
    expect(none.error).toBeNull();
    expect(none.value!.series[0].values.every((v) => v === null)).toBe(true);
    // Cached as the charts are: a second read asks CloudWatch nothing.
    await getQueueDepth(env, 'screenshot', 180, cache);
    expect(cwCalls.get('GetMetricDataCommand')).toBe(2);
  });

  it('reports a failing source in its part and still serves the others', async () => {
    const env = {
      ...seededEnvironment('staging'),
      name: 'broken',
      ecs: { cluster: 'no-such-cluster', services: { api: 'api', worker: 'worker' } },
    };
    const snapshot = await getEnvironmentSnapshot(env, createCache(redis));
    expect(snapshot.ecs).toMatchObject({
      value: null,
      error: {
        code: 'upstream_failed',
        upstream: 'ECS',
        message: expect.stringMatching(/ECS DescribeServices failed: ClusterNotFoundException/),
        requestId: expect.any(String),
      },
    });
    expect(snapshot.targets.error).toBeNull();
    expect(snapshot.targets.value!.targetGroups[0].targets.length).toBeGreaterThan(0);
  });

  it('renders every other part when the queues’ Redis is down: the queue part carries the error', async () => {
    const env = {
      ...seededEnvironment('staging'),
      name: 'queues-down',
      queues: { names: ['screenshot'], redisUrl: `redis://127.0.0.1:${await freePort()}` },
    };
    const snapshot = await getEnvironmentSnapshot(env, createCache(redis));
    expect(snapshot.queues).toMatchObject({
      value: null,
      error: {
        code: 'upstream_failed',
        upstream: 'Redis',
        message: "the queues' Redis did not answer (cannot connect)",
      },
    });
    expect(snapshot.ecs.error).toBeNull();
    expect(snapshot.ecs.value!.services).toHaveLength(2);
  });
});
