/**
 * A separate process for the single-flight test: N concurrent reads of one cache key, with
 * a fetcher that counts its calls in Redis. Run with `--conditions=react-server`.
 * Usage: cache-reader.ts <redisUrl> <name> <readers>
 */
import { Redis } from 'ioredis';
import { z } from 'zod';
import { createCache } from '../../lib/cache';

const [redisUrl, name, readers] = process.argv.slice(2);
const redis = new Redis(redisUrl);
const cache = createCache(redis);
const fetcher = async () => {
  await redis.incr(`test:fetches:${name}`);
  await new Promise((r) => setTimeout(r, 300)); // a slow upstream: every reader arrives during it
  return { answer: 42 };
};
const results = await Promise.all(
  Array.from({ length: Number(readers) }, () =>
    cache.get(name, { ttlMs: 60_000, maxStaleMs: 60_000 }, z.object({ answer: z.number() }), fetcher),
  ),
);
console.log(JSON.stringify(results.map((r) => r.value?.answer)));
redis.disconnect();
