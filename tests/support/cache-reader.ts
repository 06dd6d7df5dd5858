/**
 * A separate process for the single-flight test: N concurrent reads of one cache key, with
 * a slow fetcher that counts its calls in Redis. The processes meet at a barrier in Redis
 * first, so their reads really contend for the lock at the same moment.
 * Run with `--conditions=react-server`.
 * Usage: cache-reader.ts <redisUrl> <name> <readers> <parties>
 * Prints one JSON line: the values read, and when the reads started and ended (epoch ms).
 */
import { Redis } from 'ioredis';
import { z } from 'zod';
import { createCache } from '../../lib/cache';

const [redisUrl, name, readers, parties] = process.argv.slice(2);
const redis = new Redis(redisUrl);
const cache = createCache(redis);
const fetcher = async () => {
  await redis.incr(`test:fetches:${name}`);
  await new Promise((r) => setTimeout(r, 500)); // a slow upstream: the other process's readers arrive during it
  return { answer: 42 };
};

// The barrier: announce, then wait until every party has.
await redis.incr(`test:barrier:${name}`);
while (Number(await redis.get(`test:barrier:${name}`)) < Number(parties)) await new Promise((r) => setTimeout(r, 2));

const startedAt = Date.now();
const results = await Promise.all(
  Array.from({ length: Number(readers) }, () =>
    cache.get(name, { ttlMs: 60_000, maxStaleMs: 60_000 }, z.object({ answer: z.number() }), fetcher),
  ),
);
console.log(JSON.stringify({ values: results.map((r) => r.value?.answer), startedAt, endedAt: Date.now() }));
redis.disconnect();
