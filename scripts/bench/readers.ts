/**
 * Cost of watching: AWS calls and Redis commands per minute with 1, 10 and 100 concurrent
 * readers of the same environment, each reader a live-update subscriber as an open
 * dashboard is. AWS calls are counted at the emulator, Redis commands from INFO commandstats.
 */
import { Redis } from 'ioredis';
import { createLiveHub } from '../../lib/live';
import { listEnvironments } from '../../lib/environments';
import { getEnvironmentSnapshot } from '../../lib/snapshot';
import type { RunningServer } from '../local-platform';

const READERS = [1, 10, 100];
const WINDOW_MS = 30_000;

async function awsRequests(emulator: RunningServer): Promise<number> {
  const res = await fetch(`${emulator.url}/_pilothouse/requests`);
  return ((await res.json()) as { total: number }).total;
}

async function redisCommands(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  return [...info.matchAll(/calls=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
}

export async function benchReaders(emulator: RunningServer, redisServer: RunningServer) {
  const admin = new Redis(redisServer.url);
  const staging = listEnvironments().find((e) => e.name === 'staging')!;
  const hub = createLiveHub((name) => getEnvironmentSnapshot(listEnvironments().find((e) => e.name === name)!));
  // INFO itself is counted (by the next INFO): measure that once instead of guessing it.
  const infoOverhead = -(await redisCommands(admin)) + (await redisCommands(admin));
  const rows: { readers: number; awsPerMinute: number; redisPerMinute: number; updates: number }[] = [];
  try {
    for (const readers of READERS) {
      // Each run starts cold, so every run pays the same first fill.
      const cached = await admin.keys('ph:*');
      if (cached.length) await admin.del(...cached);
      const aws0 = await awsRequests(emulator);
      const redis0 = await redisCommands(admin);
      let updates = 0;
      const unsubscribe = Array.from({ length: readers }, () => hub.subscribe(staging.name, () => updates++));
      await new Promise((r) => setTimeout(r, WINDOW_MS));
      unsubscribe.forEach((u) => u());
      const aws = (await awsRequests(emulator)) - aws0;
      const redis = (await redisCommands(admin)) - redis0 - infoOverhead;
      const perMinute = (n: number) => (n * 60_000) / WINDOW_MS;
      rows.push({ readers, awsPerMinute: perMinute(aws), redisPerMinute: perMinute(redis), updates });
    }
  } finally {
    admin.disconnect();
  }
  console.log(`\nReaders: live subscribers of one environment, ${WINDOW_MS / 1000} s per run, cold cache at the start of each`);
  for (const r of rows) {
    console.log(`  ${String(r.readers).padStart(3)} readers  ${r.awsPerMinute.toFixed(0).padStart(4)} AWS calls/min  ${r.redisPerMinute.toFixed(0).padStart(5)} Redis commands/min  (${r.updates} updates pushed)`);
  }
  const [one, , hundred] = rows;
  console.log(`  ratio 100 readers / 1 reader: AWS ${(hundred.awsPerMinute / one.awsPerMinute).toFixed(2)}, Redis ${(hundred.redisPerMinute / one.redisPerMinute).toFixed(2)} (goal: at most 1.1 each)`);
}
