/**
 * The shared live tail (lib/log-tail.ts) across instances: two tail hubs, each with its own Redis
 * connections as two control-plane instances have, read staging's api log group through the
 * real SDK client. What the api really writes reaches every viewer on both; one reader serves
 * them all, so 100 viewers cost the FilterLogEvents calls of one.
 */
import { Redis } from 'ioredis';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { logsClient } from '@/lib/aws/logs';
import { createTailHub, tailName } from '@/lib/log-tail';
import type { LiveHub } from '@/lib/live';
import type { TailBatch } from '@/model/schemas/tail';
import { repoPath, startApi, type ServiceProcess, type startGithubStandin } from '../../scripts/platform';
import {
  countCommands,
  eventually,
  pointDataLayerAtLocalPlatform,
  seededEnvironment,
  standInLogs,
  stagingServiceEnv,
} from '../support/aws';

const DB = 4;
const TICK_MS = 200;
const env = () => seededEnvironment('staging');
let github: Awaited<ReturnType<typeof startGithubStandin>>;
let api: ServiceProcess & { url: string };
const connections: Redis[] = [];

function instance(): LiveHub<TailBatch> {
  const redis = new Redis(`${inject('redisUrl')}/${DB}`);
  const subscriber = new Redis(`${inject('redisUrl')}/${DB}`);
  connections.push(redis, subscriber);
  return createTailHub(redis, subscriber, TICK_MS);
}

beforeAll(async () => {
  github = await pointDataLayerAtLocalPlatform('ghs_tail');
  // The hubs find the environment by name in the registry, as the control plane does.
  process.env.PILOTHOUSE_ENVIRONMENTS = inject('registryJson');
  process.env.REDIS_URL = `${inject('redisUrl')}/${DB}`;
  const redis = new Redis(process.env.REDIS_URL);
  await redis.flushdb();
  redis.disconnect();
  api = await startApi(stagingServiceEnv(), { logs: await standInLogs('api', 1) });
});
afterAll(async () => {
  await api?.stop();
  for (const c of connections) c.disconnect();
  await github?.close();
});

describe('the live tail, shared across instances', () => {
  it('brings what the api writes to 50 viewers on each of two instances, from one reader, at the cost of one viewer', async () => {
    const name = tailName('staging', 'api');
    const [a, b] = [instance(), instance()];
    const calls = countCommands(logsClient(env()));
    const filterCalls = () => calls.get('FilterLogEventsCommand') ?? 0;
    try {
      // One viewer: the calls a tail costs over a window of ticks.
      const solo: string[] = [];
      const stopSolo = a.subscribe(name, (m) => solo.push(...m.snapshot.lines.map((l) => l.message)));
      await eventually(async () => a.isRefresher(name), Boolean);
      await new Promise((r) => setTimeout(r, 1_000)); // settled into its ticks
      const soloStart = filterCalls();
      await new Promise((r) => setTimeout(r, 8_000));
      const soloCalls = filterCalls() - soloStart;
      stopSolo();

      // 50 viewers on each instance.
      const seen = new Map<number, string[]>();
      const stops = [a, b].flatMap((hub, h) =>
        Array.from({ length: 50 }, (_, i) => {
          const id = h * 50 + i;
          seen.set(id, []);
          return hub.subscribe(name, (m) => seen.get(id)!.push(...m.snapshot.lines.map((l) => l.message)));
        }),
      );
      await eventually(async () => a.isRefresher(name) || b.isRefresher(name), Boolean);
      await new Promise((r) => setTimeout(r, 1_000));
      const crowdStart = filterCalls();
      const marker = randomUUID();
      await fetch(`${api.url}/api/health/?marker=${marker}`);
      await new Promise((r) => setTimeout(r, 8_000));
      const crowdCalls = filterCalls() - crowdStart;

      expect(
        [a, b].filter((hub) => hub.isRefresher(name)),
        'exactly one reader',
      ).toHaveLength(1);
      for (const [id, messages] of seen)
        expect(
          messages.some((m) => m.includes(marker)),
          `viewer ${id} got the api's line`,
        ).toBe(true);
      // The same reads for 100 viewers as for one: one call a tick. The two 8 s windows are timed
      // by the test's clock, not the reader's ticks, so each edge of a window can take in or leave
      // out one tick: within 2 calls of each other (about 40 each), where reads growing with
      // viewers would be 100 times as many. (A 5% band failed once on 41 against 39.)
      expect(soloCalls).toBeGreaterThan(0);
      expect(Math.abs(crowdCalls - soloCalls)).toBeLessThanOrEqual(2);
      console.log(
        `tail: ${soloCalls} FilterLogEvents calls for 1 viewer, ${crowdCalls} for 2 instances x 50 viewers in 8 s`,
      );
      for (const stop of stops) stop();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 60_000);

  it('replaces a reader whose instance is killed (SIGKILL) within one lease period, and goes on from its cursor', async () => {
    const name = tailName('staging', 'api');
    const child = spawn(
      process.execPath,
      ['--conditions=react-server', '--import', 'tsx', 'tests/support/tail-instance.ts'],
      {
        cwd: repoPath(),
        detached: true,
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, TAIL_NAME: name, TAIL_TICK_MS: String(TICK_MS) },
      },
    );
    const survivor = instance();
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => String(d).includes('READING') && resolve());
        child.once('exit', (code) => reject(new Error(`the instance exited (${code}) before it read`)));
      });
      const got: string[] = [];
      survivor.subscribe(name, (m) => got.push(...m.snapshot.lines.map((l) => l.message)));
      const before = randomUUID();
      await fetch(`${api.url}/api/health/?marker=${before}`);
      await eventually(async () => got.some((m) => m.includes(before)), Boolean);
      expect(survivor.isRefresher(name), 'the child reads, the survivor only listens').toBe(false);

      process.kill(child.pid!, 'SIGKILL');
      const killedAt = Date.now();
      const during = randomUUID();
      await fetch(`${api.url}/api/health/?marker=${during}`); // written while nobody reads
      await eventually(async () => survivor.isRefresher(name), Boolean, 10 * TICK_MS);
      const handedOverIn = Date.now() - killedAt;
      await eventually(async () => got.some((m) => m.includes(during)), Boolean);
      // The lease period is three ticks (lib/live.ts); one tick more for timers that fire late.
      expect(handedOverIn).toBeLessThanOrEqual(3 * TICK_MS + TICK_MS);
    } finally {
      try {
        process.kill(child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
      await survivor.close();
    }
  });

  it('never delivers a line twice, though each read looks 3 s back for late lines', async () => {
    const hub = instance();
    const name = tailName('staging', 'api');
    const got: string[] = [];
    const stop = hub.subscribe(name, (m) => got.push(...m.snapshot.lines.map((l) => l.id)));
    try {
      const markers = Array.from({ length: 5 }, () => randomUUID());
      for (const marker of markers) {
        await fetch(`${api.url}/api/health/?marker=${marker}`);
        await new Promise((r) => setTimeout(r, 300));
      }
      await new Promise((r) => setTimeout(r, 2_000));
      expect(new Set(got).size).toBe(got.length);
    } finally {
      stop();
      await hub.close();
    }
  });
});
