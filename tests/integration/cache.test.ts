import { spawn } from 'node:child_process';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { createCache } from '@/lib/cache';
import { keys } from '@/lib/keys';
import { ROOT } from '../../scripts/local-platform';

const redisUrl = () => `${inject('redisUrl')}/5`;
const redis = new Redis(redisUrl());
const Value = z.object({ v: z.number() });
afterAll(() => redis.disconnect());

let n = 0;
const uniqueName = () => `test-${process.pid}-${Date.now()}-${n++}`;

function runReader(name: string, readers: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', path.join(ROOT, 'tests/support/cache-reader.ts'), redisUrl(), name, String(readers)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`reader exited ${code}: ${err}`))));
  });
}

describe('lib/cache single-flight and stale-while-revalidate', () => {
  it('makes exactly one upstream fetch for 50 concurrent reads of a cold key from two processes', async () => {
    const name = uniqueName();

    const [a, b] = await Promise.all([runReader(name, 50), runReader(name, 50)]);

    expect(a).toEqual(Array(50).fill(42));
    expect(b).toEqual(Array(50).fill(42));
    expect(await redis.get(`test:fetches:${name}`)).toBe('1');
  });

  it('serves a stale value at once and refreshes it once in the background', async () => {
    const cache = createCache(redis);
    const name = uniqueName();
    const policy = { ttlMs: 100, maxStaleMs: 10_000 };
    let calls = 0;
    const fetcher = async () => ({ v: ++calls });
    expect((await cache.get(name, policy, Value, fetcher)).value).toEqual({ v: 1 });
    await new Promise((r) => setTimeout(r, 150));

    const stale = await Promise.all([cache.get(name, policy, Value, fetcher), cache.get(name, policy, Value, fetcher)]);

    expect(stale.map((s) => [s.value, s.stale])).toEqual([[{ v: 1 }, true], [{ v: 1 }, true]]);
    await new Promise((r) => setTimeout(r, 50));
    const fresh = await cache.get(name, policy, Value, fetcher);
    expect(fresh).toMatchObject({ value: { v: 2 }, stale: false, error: null });
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

    const [a, b] = await Promise.all([cache.get(name, policy, Value, fetcher), other.get(name, policy, Value, fetcher)]);

    expect([a.value, b.value]).toEqual([{ v: 2 }, { v: 2 }]);
    expect(a.stale).toBe(false);
    expect(calls).toBe(2);
  });

  it('keeps serving the last value with its age and the error when upstream fails', async () => {
    const cache = createCache(redis);
    const name = uniqueName();
    const policy = { ttlMs: 50, maxStaleMs: 10_000 };
    await cache.get(name, policy, Value, async () => ({ v: 7 }));
    await new Promise((r) => setTimeout(r, 80));
    const failing = async (): Promise<{ v: number }> => {
      throw new Error('ECS DescribeServices failed: ThrottlingException');
    };

    await cache.get(name, policy, Value, failing); // triggers the background refresh, which fails
    await new Promise((r) => setTimeout(r, 30));
    const after = await cache.get(name, policy, Value, failing);

    expect(after.value).toEqual({ v: 7 });
    expect(after.error).toBe('ECS DescribeServices failed: ThrottlingException');
    expect(after.ageMs).toBeGreaterThanOrEqual(80);
    expect(after.stale).toBe(true);
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

    expect(first).toMatchObject({ value: null, fetchedAt: null, error: 'connect ECONNREFUSED' });
    expect(second.error).toBe('connect ECONNREFUSED');
    expect(calls).toBe(1);
  });

  it('does not wedge on a refresher that crashed holding the lock: the lock expires', async () => {
    const cache = createCache(redis);
    const name = uniqueName();
    await redis.set(keys.cacheLock(name), 'crashed-refresher', 'PX', 300);
    let calls = 0;
    const started = Date.now();

    const result = await cache.get(name, { ttlMs: 5_000, maxStaleMs: 5_000, lockMs: 2_000 }, Value, async () => ({ v: ++calls }));

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
});
