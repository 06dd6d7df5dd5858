/**
 * A separate process for the single-flight test: several cache instances (each with its own
 * Redis connection, as separate control-plane instances have), each making concurrent reads of
 * one cache key, with a slow fetcher that counts its calls in Redis. Reads within one instance
 * merge in memory; between instances only the Redis lock stands. The processes meet at a
 * barrier in Redis first, so their reads really contend for the lock at the same moment.
 * Run with `--conditions=react-server`.
 * Usage: cache-reader.ts <redisUrl> <name> <instances> <readsPerInstance> <parties>
 * Prints one JSON line: per instance, the values read and when its reads started and ended
 * (epoch ms), and when the fetch ran if this process made it.
 */
import { Redis } from 'ioredis';
import { z } from 'zod';
import { createCache } from '../../lib/cache';

const [redisUrl, name, instanceCount, readsPerInstance, parties] = process.argv.slice(2);
const admin = new Redis(redisUrl);
const instances = Array.from({ length: Number(instanceCount) }, () => new Redis(redisUrl));
let fetched: { startedAt: number; endedAt: number } | null = null;
const fetcher = async () => {
  const startedAt = Date.now();
  await admin.incr(`test:fetches:${name}`);
  await new Promise((r) => setTimeout(r, 500)); // a slow upstream: every other instance's reads arrive during it
  fetched = { startedAt, endedAt: Date.now() };
  return { answer: 42 };
};

// The barrier: announce, then wait until every party has.
await admin.incr(`test:barrier:${name}`);
while (Number(await admin.get(`test:barrier:${name}`)) < Number(parties)) await new Promise((r) => setTimeout(r, 2));

const results = await Promise.all(
  instances.map(async (connection) => {
    const cache = createCache(connection);
    const startedAt = Date.now();
    const reads = await Promise.all(
      Array.from({ length: Number(readsPerInstance) }, () =>
        cache.get(name, { ttlMs: 60_000, maxStaleMs: 60_000 }, z.object({ answer: z.number() }), fetcher),
      ),
    );
    return { values: reads.map((r) => r.value?.answer), startedAt, endedAt: Date.now() };
  }),
);
console.log(JSON.stringify({ instances: results, fetched }));
for (const connection of [admin, ...instances]) connection.disconnect();
