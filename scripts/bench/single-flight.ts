/**
 * Single-flight: concurrent readers of a cold cache entry, split over two "instances" (cache
 * objects with Redis connections of their own), against an upstream that takes 200 ms. With
 * lib/cache.ts one of them fetches and the rest wait for its value; without it, each fetches.
 */
import { Redis } from 'ioredis';
import { z } from 'zod';
import { createCache } from '../../lib/cache';
import { record } from './report';

const READERS = 200;

export async function benchSingleFlight(redis: { url: string }): Promise<void> {
  const connections = [new Redis(redis.url), new Redis(redis.url)];
  try {
    const caches = connections.map((c) => createCache(c, { background: (work) => void work }));
    let fetches = 0;
    const upstream = async () => {
      fetches++;
      await new Promise((r) => setTimeout(r, 200));
      return { v: 42 };
    };
    const name = `bench-single-flight-${Date.now()}`;
    const started = performance.now();
    const values = await Promise.all(
      Array.from({ length: READERS }, (_, i) =>
        caches[i % 2].get(name, { ttlMs: 60_000, maxStaleMs: 60_000 }, z.object({ v: z.number() }), upstream),
      ),
    );
    const ms = performance.now() - started;
    if (values.some((v) => v.value?.v !== 42)) throw new Error('a reader got no value');
    console.log(
      `\nSingle-flight: ${READERS} concurrent reads of a cold key from 2 instances, upstream 200 ms: ${fetches} upstream fetch(es) in ${ms.toFixed(0)} ms (${READERS}x without it)`,
    );
    record({
      group: 'single-flight',
      figure: `${READERS} cold reads on 2 instances`,
      value: fetches,
      unit: 'upstream fetches',
      ratio: READERS / fetches,
      ratioOf: 'fetches without / with single-flight',
    });
  } finally {
    connections.forEach((c) => c.disconnect());
  }
}
