import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { createCache } from '@/lib/cache';
import { toUpstreamError } from '@/lib/aws/errors';
import { UpstreamError } from '@/model/errors';
import { keys } from '@/contracts/keys';
import { FAIL_FAST_REDIS_OPTIONS } from '@/lib/redis';
import { freePort, repoPath, startRedis } from '../../scripts/platform';
import { backgroundWork } from '../support/background';

const redisUrl = () => `${inject('redisUrl')}/5`;
const redis = new Redis(redisUrl());
const Value = z.object({ v: z.number() });
afterAll(() => redis.disconnect());

let n = 0;
const uniqueName = () => `test-${process.pid}-${Date.now()}-${n++}`;

type ReaderResult = {
  instances: { values: number[]; startedAt: number; endedAt: number }[];
  fetched: { startedAt: number; endedAt: number } | null;
};

function runReader(name: string, instances: number, readsEach: number, parties: number): Promise<ReaderResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=react-server',
        '--import',
        'tsx',
        repoPath('tests/support/cache-reader.ts'),
        redisUrl(),
        name,
        String(instances),
        String(readsEach),
        String(parties),
      ],
      {
        cwd: repoPath(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').at(-1)!))
        : reject(new Error(`reader exited ${code}: ${err}`)),
    );
  });
}

describe('lib/cache single-flight and stale-while-revalidate', () => {
  it('makes exactly one upstream fetch for a cold key read at once by 16 cache instances in two processes, 5 reads each', async () => {
    const name = uniqueName();

    // 8 instances per process, each with its own Redis connection: 16 contenders at the Redis
    // lock (reads within an instance merge in memory before they reach Redis).
    const runs = await Promise.all([runReader(name, 8, 5, 2), runReader(name, 8, 5, 2)]);
    const instances = runs.flatMap((r) => r.instances);
    const fetches = runs.map((r) => r.fetched).filter((f) => f !== null);

    expect(await redis.get(`test:fetches:${name}`)).toBe('1');
    expect(fetches).toHaveLength(1);
    // They really contended: every instance's reads began before the one fetch (500 ms) ended,
    // so each found the key cold and the lock taken, and waited on the lock's holder.
    expect(instances).toHaveLength(16);
    for (const [i, instance] of instances.entries()) {
      expect(instance.startedAt, `instance ${i} began before the fetch ended`).toBeLessThan(fetches[0]!.endedAt);
      expect(instance.values).toEqual(Array(5).fill(42));
    }
  });

  it('does not fetch again when the other refresher writes and releases between a waiter’s read and its lock', async () => {
    const name = uniqueName();
    const policy = { ttlMs: 60_000, maxStaleMs: 60_000 };
    let releaseOther!: () => void;
    const otherMayFinish = new Promise<void>((r) => (releaseOther = r));
    const other = createCache(redis); // another instance, mid-fetch and holding the lock
    const otherRead = other.get(name, policy, Value, async () => {
      await otherMayFinish;
      return { v: 1 };
    });
    while ((await redis.exists(keys.cacheLock(name))) === 0) await new Promise((r) => setTimeout(r, 5));

    // This reader's Redis is the real one, except that its second look at the (still empty)
    // entry lets the other instance finish (write, release the lock) before the answer comes
    // back: the reader then finds the lock free although the value is already there.
    let entryReads = 0;
    const interleaved = new Proxy(redis, {
      get(target, prop) {
        if (prop === 'get') {
          return async (key: string) => {
            const raw = await target.get(key);
            if (key === keys.cacheEntry(name) && ++entryReads === 2) {
              expect(raw).toBeNull();
              releaseOther();
              await otherRead;
            }
            return raw;
          };
        }
        const member = Reflect.get(target, prop, target);
        return typeof member === 'function' ? member.bind(target) : member;
      },
    });
    let fetches = 0;
    const result = await createCache(interleaved).get(name, policy, Value, async () => ({ v: 100 + ++fetches }));

    expect(entryReads).toBeGreaterThanOrEqual(2);
    expect(fetches).toBe(0);
    expect(result.value).toEqual({ v: 1 });
    expect((await otherRead).value).toEqual({ v: 1 });
    expect(await redis.exists(keys.cacheLock(name))).toBe(0);
  });

  it('serves a stale value at once and refreshes it once in the background', async () => {
    const { background, settled } = backgroundWork();
    const cache = createCache(redis, { background });
    const name = uniqueName();
    const policy = { ttlMs: 100, maxStaleMs: 10_000 };
    let calls = 0;
    const fetcher = async () => ({ v: ++calls });
    expect((await cache.get(name, policy, Value, fetcher)).value).toEqual({ v: 1 });
    await new Promise((r) => setTimeout(r, 150));

    const stale = await Promise.all([cache.get(name, policy, Value, fetcher), cache.get(name, policy, Value, fetcher)]);

    expect(stale.map((s) => [s.value, s.stale])).toEqual([
      [{ v: 1 }, true],
      [{ v: 1 }, true],
    ]);
    await settled();
    const fresh = await cache.get(name, policy, Value, fetcher);
    expect(fresh).toMatchObject({ value: { v: 2 }, stale: false, error: null, sharedCacheError: null });
    expect(calls).toBe(2);
  });

  it('refreshes a value older than the revalidate window before serving it, once across readers', async () => {
    const cache = createCache(redis);
    const other = createCache(redis); // a second instance of the control plane
    const name = uniqueName();
    const policy = { ttlMs: 50, revalidateMs: 50, maxStaleMs: 10_000 };
    let calls = 0;
    const fetcher = async () => {
      await new Promise((r) => setTimeout(r, 50));
      return { v: ++calls };
    };
    await cache.get(name, policy, Value, fetcher);
    await new Promise((r) => setTimeout(r, 150)); // nobody read it for three TTLs

    const [a, b] = await Promise.all([
      cache.get(name, policy, Value, fetcher),
      other.get(name, policy, Value, fetcher),
    ]);

    expect([a.value, b.value]).toEqual([{ v: 2 }, { v: 2 }]);
    expect(a.stale).toBe(false);
    expect(calls).toBe(2);
  });

  it('keeps serving the last value with its age and the error when upstream fails', async () => {
    const { background, settled } = backgroundWork();
    const cache = createCache(redis, { background });
    const name = uniqueName();
    const policy = { ttlMs: 50, maxStaleMs: 10_000 };
    await cache.get(name, policy, Value, async () => ({ v: 7 }));
    await new Promise((r) => setTimeout(r, 80));
    const failing = async (): Promise<{ v: number }> => {
      throw new UpstreamError(
        'ECS',
        'ECS DescribeServices failed: ServiceUnavailableException: try again',
        'a1b2c3-request',
      );
    };

    await cache.get(name, policy, Value, failing); // triggers the background refresh, which fails
    await settled();
    const after = await cache.get(name, policy, Value, failing);

    expect(after.value).toEqual({ v: 7 });
    // The error keeps its code and AWS request id, not only its text.
    expect(after.error).toEqual({
      code: 'upstream_failed',
      upstream: 'ECS',
      requestId: 'a1b2c3-request',
      message: 'ECS DescribeServices failed: ServiceUnavailableException: try again',
    });
    expect(after.ageMs).toBeGreaterThanOrEqual(80);
    expect(after.stale).toBe(true);
  });

  it('serves through AWS throttling without an error while the value is young, checks again one TTL later, and shows the error once the value is older', async () => {
    const { background, settled } = backgroundWork();
    const cache = createCache(redis, { background });
    const name = uniqueName();
    const policy = { ttlMs: 50, maxStaleMs: 10_000, quietRateLimitMs: 400 };
    await cache.get(name, policy, Value, async () => ({ v: 7 }));
    await new Promise((r) => setTimeout(r, 80));
    // What the SDK throws once its own retries of a throttled call are spent.
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $metadata: { requestId: 'throttled-1' },
    });
    let calls = 0;
    const throttling = async (): Promise<{ v: number }> => {
      calls++;
      throw toUpstreamError('ECS', 'DescribeServices', throttled);
    };
    await cache.get(name, policy, Value, throttling);
    await settled();
    const young = await cache.get(name, policy, Value, throttling);
    expect(young).toMatchObject({ value: { v: 7 }, error: null, stale: true });
    expect(calls).toBe(1); // the failed check counts: no retry by every reader

    await new Promise((r) => setTimeout(r, 400));
    await cache.get(name, policy, Value, throttling);
    await settled();
    const old = await cache.get(name, policy, Value, throttling);
    expect(old.value).toEqual({ v: 7 });
    expect(old.error).toMatchObject({
      code: 'rate_limited',
      upstream: 'ECS',
      requestId: 'throttled-1',
      message: 'ECS DescribeServices failed: ThrottlingException: Rate exceeded',
    });
  });

  it('reports an outage with no value as an error, not as empty data, and does not retry it per reader', async () => {
    const cache = createCache(redis);
    const name = uniqueName();
    let calls = 0;
    const failing = async (): Promise<{ v: number }> => {
      calls++;
      throw new Error('connect ECONNREFUSED');
    };

    const first = await cache.get(name, { ttlMs: 5_000, maxStaleMs: 5_000 }, Value, failing);
    const second = await cache.get(name, { ttlMs: 5_000, maxStaleMs: 5_000 }, Value, failing);

    expect(first).toMatchObject({
      value: null,
      fetchedAt: null,
      error: { code: 'internal', message: 'connect ECONNREFUSED' },
    });
    expect(second.error?.message).toBe('connect ECONNREFUSED');
    expect(calls).toBe(1);
  });

  it('does not wedge on a refresher that crashed holding the lock: the lock expires', async () => {
    const cache = createCache(redis);
    const name = uniqueName();
    await redis.set(keys.cacheLock(name), 'crashed-refresher', 'PX', 300);
    let calls = 0;
    const started = Date.now();

    const result = await cache.get(name, { ttlMs: 5_000, maxStaleMs: 5_000, lockMs: 2_000 }, Value, async () => ({
      v: ++calls,
    }));

    expect(result.value).toEqual({ v: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(calls).toBe(1);
  });

  it('refills an entry that is not valid JSON instead of trusting it', async () => {
    const cache = createCache(redis);
    const name = uniqueName();
    await redis.set(keys.cacheEntry(name), '{not json');
    const result = await cache.get(name, { ttlMs: 5_000, maxStaleMs: 5_000 }, Value, async () => ({ v: 3 }));
    expect(result.value).toEqual({ v: 3 });
  });

  it('treats a value written by an older deploy that today’s schema rejects as a miss', async () => {
    const cache = createCache(redis);
    const name = uniqueName();
    await redis.set(
      keys.cacheEntry(name),
      JSON.stringify({ value: { v: 'old shape' }, fetchedAt: Date.now(), error: null, checkedAt: Date.now() }),
    );
    const result = await cache.get(name, { ttlMs: 5_000, maxStaleMs: 5_000 }, Value, async () => ({ v: 4 }));
    expect(result).toMatchObject({ value: { v: 4 }, error: null });
  });

  it('reports an upstream value of the wrong shape as that part’s error: not stored, not blamed on Redis', async () => {
    const cache = createCache(redis);
    const name = uniqueName();
    const result = await cache.get(
      name,
      { ttlMs: 5_000, maxStaleMs: 5_000 },
      Value,
      async () => ({ v: 'not a number' }) as unknown as { v: number },
    );
    expect(result).toMatchObject({
      value: null,
      sharedCacheError: null,
      error: { code: 'internal', message: expect.stringMatching(/unexpected shape \(v:/) },
    });
    const stored = JSON.parse((await redis.get(keys.cacheEntry(name)))!) as { value: unknown };
    expect(stored.value).toBeNull();
  });

  it('gives up on a hung upstream inside the lock’s life: that part times out, and nobody fetches twice meanwhile', async () => {
    const cache = createCache(redis);
    const other = createCache(redis);
    const name = uniqueName();
    let calls = 0;
    const hung = () => {
      calls++;
      return new Promise<{ v: number }>(() => {});
    };
    const policy = { ttlMs: 5_000, maxStaleMs: 5_000, lockMs: 1_500 };

    const [a, b] = await Promise.all([cache.get(name, policy, Value, hung), other.get(name, policy, Value, hung)]);

    expect(a).toMatchObject({ value: null, error: { code: 'timeout' } });
    expect(b.value).toBeNull();
    expect(b.error?.code).toBe('timeout');
    expect(calls).toBe(1);
  });

  it('never lets a refresher whose lock expired overwrite the newer value of the one after it', async () => {
    const slow = createCache(redis);
    const fast = createCache(redis);
    const name = uniqueName();
    const policy = { ttlMs: 5_000, maxStaleMs: 5_000, lockMs: 5_000 };
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let slowStarted!: () => void;
    const started = new Promise<void>((r) => (slowStarted = r));

    const late = slow.get(name, policy, Value, async () => {
      slowStarted();
      await gate;
      return { v: 1 };
    });
    await started;
    await redis.del(keys.cacheLock(name)); // its lock expired (a failover, a paused process)
    const newer = await fast.get(name, policy, Value, async () => ({ v: 2 }));
    release();
    await late;

    expect(newer.value).toEqual({ v: 2 });
    const stored = JSON.parse((await redis.get(keys.cacheEntry(name)))!) as { value: unknown };
    expect(stored.value).toEqual({ v: 2 });
  });

  it('hands a background refresh to Vercel’s waitUntil, so it outlives the response', async () => {
    const handed: Promise<unknown>[] = [];
    const context = Symbol.for('@vercel/request-context');
    (globalThis as Record<symbol, unknown>)[context] = {
      get: () => ({ waitUntil: (p: Promise<unknown>) => handed.push(p) }),
    };
    try {
      const cache = createCache(redis);
      const name = uniqueName();
      // Stale after 50 ms, and served stale (not refreshed first) for 10 s: a slow machine stays inside that.
      const policy = { ttlMs: 50, revalidateMs: 10_000, maxStaleMs: 10_000 };
      await cache.get(name, policy, Value, async () => ({ v: 1 }));
      await new Promise((r) => setTimeout(r, 80));

      const stale = await cache.get(name, policy, Value, async () => ({ v: 2 }));

      expect(stale.value).toEqual({ v: 1 });
      expect(handed).toHaveLength(1);
      await handed[0];
      expect((await cache.get(name, policy, Value, async () => ({ v: 3 }))).value).toEqual({ v: 2 });
    } finally {
      delete (globalThis as Record<symbol, unknown>)[context];
    }
  });
});

describe('lib/cache when its Redis fails', () => {
  it('serves a direct read, says the shared cache is down, and fetches once per TTL, when Redis is stopped', async () => {
    const port = await freePort(); // nothing listens there
    const down = new Redis(`redis://127.0.0.1:${port}`, FAIL_FAST_REDIS_OPTIONS);
    down.on('error', () => {});
    try {
      const cache = createCache(down);
      let calls = 0;
      const policy = { ttlMs: 5_000, maxStaleMs: 5_000 };
      const first = await cache.get('down', policy, Value, async () => ({ v: ++calls }));
      const second = await cache.get('down', policy, Value, async () => ({ v: ++calls }));

      expect(first).toMatchObject({ value: { v: 1 }, error: null });
      expect(first.sharedCacheError?.message).toBe('Shared cache (Redis) unavailable: cannot connect');
      expect(second.value).toEqual({ v: 1 });
      expect(calls).toBe(1);
    } finally {
      down.disconnect();
    }
  });

  // Without command timeouts this read waits as long as Redis is paused: the test's own timeout fails it.
  it('still answers, from upstream, when Redis is paused (SIGSTOP)', async () => {
    const paused = await startRedis();
    const client = new Redis(paused.url, FAIL_FAST_REDIS_OPTIONS);
    client.on('error', () => {});
    try {
      await client.ping();
      process.kill(paused.pid, 'SIGSTOP');
      const cache = createCache(client);

      const result = await cache.get('paused', { ttlMs: 5_000, maxStaleMs: 5_000 }, Value, async () => ({ v: 9 }));

      expect(result.value).toEqual({ v: 9 });
      expect(result.sharedCacheError?.message).toBe('Shared cache (Redis) unavailable: no answer within 1500 ms');
    } finally {
      process.kill(paused.pid, 'SIGCONT');
      client.disconnect();
      await paused.stop();
    }
  });
});
