/**
 * Live updates across instances (lib/live.ts, lib/sse.ts): each "instance" is a hub with
 * Redis connections of its own, as two control-plane processes would have, on a redis-server
 * of this file's own (so INFO counts only these commands, and no other file's pub/sub mixes in).
 */
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor } from '@/lib/aws/clients';
import { createCache } from '@/lib/cache';
import { keys } from '@/contracts/keys';
import { createLiveHub, type LiveHub, type LiveMessage } from '@/lib/live';
import { closeQueueRedis } from '@/lib/queue';
import { getEnvironmentSnapshot } from '@/lib/snapshot';
import { liveEventStream } from '@/lib/sse';
import {
  type startGithubStandin,
  repoPath,
  startRedis,
  stopProcessGroup,
  type RunningServer,
} from '../../scripts/platform';
import { countCommands, eventually, pointDataLayerAtLocalPlatform, seededEnvironment } from '../support/aws';

const TICK_MS = 250;
/** The cost test's window: 20 s (80 ticks), after a second of warm-up. */
const WARMUP_TICKS = 4;
const WINDOW_TICKS = 80;
/**
 * The cost test's cache clock runs this much faster than the wall, so a 20 s window holds
 * about nine minutes of TTLs (a few hundred AWS calls). 27.3, not a round number: the AWS
 * parts' TTLs (5 s, 30 s, 60 s) are then 0.73, 4.4 and 8.8 ticks, never near a whole number of
 * ticks, where a millisecond's jitter would decide whether a refresh falls on one tick or the
 * next. (Queues, 2 s, are read every tick; deploy runs are GitHub, not AWS.)
 */
const CACHE_CLOCK_SPEED = 27.3;
// A lease of 4 ticks (3 of silence before another instance takes over): room for a slow machine.
const LEASE_MS = 4 * TICK_MS;

let server: RunningServer;
let admin: Redis;
let github: Awaited<ReturnType<typeof startGithubStandin>>;
const connections: Redis[] = [];
const hubs: LiveHub<unknown>[] = [];

function connect(): Redis {
  const connection = new Redis(server.url);
  connections.push(connection);
  return connection;
}

/** An instance's hub: a command connection and a subscriber connection of its own. */
function instance<T>(load: (environment: string) => Promise<T>, tickMs = TICK_MS): LiveHub<T> {
  const hub = createLiveHub({ redis: connect(), subscriber: connect(), load, tickMs, leaseMs: 4 * tickMs });
  hubs.push(hub as LiveHub<unknown>);
  return hub;
}

async function redisCommands(): Promise<number> {
  const info = await admin.info('commandstats');
  return [...info.matchAll(/calls=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  server = await startRedis();
  admin = connect();
  github = await pointDataLayerAtLocalPlatform('ghs_live');
});

afterAll(async () => {
  await Promise.all(hubs.map((hub) => hub.close()));
  connections.forEach((c) => c.disconnect());
  closeQueueRedis(); // the snapshot's queue reads, on this file's Redis
  await github?.close();
  await server?.stop();
});

describe('live updates across instances', () => {
  it('costs the same in AWS calls and Redis commands for 2 instances x 50 viewers as for 1 viewer, with one refresher', async () => {
    const env = seededEnvironment('staging');
    const awsCalls = [
      ECSClient,
      ElasticLoadBalancingV2Client,
      CloudWatchClient,
      ApplicationAutoScalingClient,
      ECRClient,
      SSMClient,
    ].map((Client) => countCommands(clientFor(Client as never, env) as never));
    const totalAwsCalls = () =>
      awsCalls.reduce((sum, counts) => sum + [...counts.values()].reduce((a, b) => a + b, 0), 0);
    // Cache and queues on this file's Redis: everything the refresher does is counted here.
    // The cache's clock runs CACHE_CLOCK_SPEED times faster than the wall: a minute's window
    // then holds about 12 minutes of TTLs (a few hundred AWS calls, not about 26), so where
    // the TTLs' boundaries fall moves a call or two in hundreds, not 8% of the count.
    const clockStart = Date.now();
    const cache = createCache(connect(), { now: () => clockStart + (Date.now() - clockStart) * CACHE_CLOCK_SPEED });
    const load = () =>
      getEnvironmentSnapshot({ ...env, queues: { ...env.queues, redisUrl: `${server.url}/1` } }, cache);
    const infoOverhead = -(await redisCommands()) + (await redisCommands());

    // AWS calls and Redis commands in the steady state: after the subscriptions, the lease and the
    // cold fill, over the window whose updates are counted.
    const measure = async (instances: LiveHub<unknown>[], viewersEach: number) => {
      await admin.flushall(); // each run starts cold, so each pays the same first fill
      const versions: number[] = [];
      const unsubscribe = instances.flatMap((hub) =>
        Array.from({ length: viewersEach }, () => hub.subscribe('staging', (m) => versions.push(m.version))),
      );
      await sleep(WARMUP_TICKS * TICK_MS);
      const awsStart = totalAwsCalls();
      const redis0 = await redisCommands();
      const seen0 = new Set(versions);
      const deliveries0 = versions.length;
      const refreshers = new Set<number>();
      for (let waited = 0; waited < WINDOW_TICKS * TICK_MS; waited += TICK_MS / 4) {
        await sleep(TICK_MS / 4);
        instances.forEach((hub, i) => hub.isRefresher('staging') && refreshers.add(i));
      }
      const aws = totalAwsCalls() - awsStart;
      const redis = (await redisCommands()) - redis0 - infoOverhead;
      const fresh = versions.slice(deliveries0).filter((v) => !seen0.has(v));
      unsubscribe.forEach((u) => u());
      await sleep(TICK_MS);
      return { aws, redis, updates: new Set(fresh).size, refreshers: refreshers.size, deliveries: fresh.length };
    };

    const one = await measure([instance(load)], 1);
    const many = await measure([instance(load), instance(load)], 50);

    expect(one.refreshers).toBe(1);
    expect(many.refreshers, 'exactly one refresher across the two instances').toBe(1);
    // Every viewer on both instances saw every update.
    expect(many.deliveries).toBe(100 * many.updates);
    expect(one.updates).toBeGreaterThan(WINDOW_TICKS / 2);
    expect(many.updates).toBeGreaterThan(WINDOW_TICKS / 2);
    // The refresher keeps its pace under load: as many updates with 100 viewers as with one.
    // (A refresher slowed by its viewers would also make fewer AWS calls per window, and look cheaper.)
    expect(many.updates).toBeGreaterThanOrEqual(0.9 * one.updates);
    // Cost per update must not grow with viewers (were it per viewer, it would be 100x).
    // Redis commands per update are the refresher's own, the same within 5% either way. AWS
    // calls per update are at most 10% above, and may be fewer: a part whose TTL has passed is
    // served stale while one caller refreshes it in the background under the Redis lock, and a
    // tick that comes while that refresh is still in flight is served the stale entry and calls
    // nothing. A slower run (100 deliveries per tick, a busy machine) merges more ticks into one
    // call, so it comes out cheaper, 0.89-0.99x over several runs: the 2-4% "shortfall" once
    // seen. A lower bound there would bound the machine's speed, not the cost; the pace of the
    // refresher is held above (updates at least 0.9x).
    expect(one.aws).toBeGreaterThan(100);
    const perUpdate = (run: typeof one, what: 'aws' | 'redis') => run[what] / run.updates;
    const ratios = {
      aws: perUpdate(many, 'aws') / perUpdate(one, 'aws'),
      redis: perUpdate(many, 'redis') / perUpdate(one, 'redis'),
    };
    const minutes = (WINDOW_TICKS * TICK_MS) / 60_000;
    console.log(
      `live cost, 1 viewer vs 2 instances x 50: AWS ${(one.aws / minutes).toFixed(0)}/min vs ${(many.aws / minutes).toFixed(0)}/min, ` +
        `Redis ${(one.redis / minutes).toFixed(0)}/min vs ${(many.redis / minutes).toFixed(0)}/min, updates ${one.updates} vs ${many.updates}; ` +
        `per update AWS ${ratios.aws.toFixed(3)}x, Redis ${ratios.redis.toFixed(3)}x`,
    );
    const runs = JSON.stringify({ one, many });
    expect(ratios.aws, `AWS calls per update, ${runs}`).toBeLessThanOrEqual(1.1);
    expect(ratios.redis, `Redis commands per update, ${runs}`).toBeLessThanOrEqual(1.05);
    expect(ratios.redis, `Redis commands per update, ${runs}`).toBeGreaterThanOrEqual(0.95);
  }, 90_000);

  it('keeps one refresher while a load takes longer than the lease allows in silence', async () => {
    // Each load takes 5 ticks, longer than the 3 ticks of silence after which another instance may take over.
    const slow = () => new Promise<string>((resolve) => setTimeout(() => resolve('slow'), 5 * TICK_MS));
    const first = instance(slow);
    const second = instance(slow);
    const seen: LiveMessage<string>[] = [];
    first.subscribe('slow', () => {});
    await eventually(async () => first.isRefresher('slow'), Boolean);
    second.subscribe('slow', (m) => seen.push(m));
    const refreshers = new Set<string>();
    for (let waited = 0; waited < 14 * TICK_MS; waited += TICK_MS / 4) {
      await sleep(TICK_MS / 4);
      if (first.isRefresher('slow')) refreshers.add('first');
      if (second.isRefresher('slow')) refreshers.add('second');
    }
    expect([...refreshers]).toEqual(['first']);
    expect(seen.length).toBeGreaterThanOrEqual(1);
  });

  it('gives a viewer on another instance the latest message at once, and refreshes when asked to', async () => {
    // A tick of a minute: every message after the first comes from the request, not a timer.
    let loads = 0;
    const refresher = instance(async () => ++loads, 60_000);
    const other = instance(async () => ++loads, 60_000);
    const seenRefresher: LiveMessage<number>[] = [];
    refresher.subscribe('asked', (m) => seenRefresher.push(m));
    await eventually(
      async () => seenRefresher.length,
      (n) => n === 1,
    );

    const seenOther: LiveMessage<number>[] = [];
    other.subscribe('asked', (m) => seenOther.push(m));
    await eventually(
      async () => seenOther.length,
      (n) => n === 1,
    );
    expect(seenOther[0]).toEqual(seenRefresher[0]);
    expect(other.isRefresher('asked')).toBe(false);

    await other.refreshNow('asked');
    await eventually(
      async () => seenOther.length,
      (n) => n === 2,
    );
    expect(seenOther[1]).toMatchObject({ version: seenOther[0].version + 1, snapshot: 2 });
    expect(seenRefresher[1]).toEqual(seenOther[1]);
  });

  it("hands the lease over when the refresher's last viewer leaves, and frees everything when the last viewer anywhere does", async () => {
    const first = instance(async () => 'first');
    const second = instance(async () => 'second');
    const leaveFirst = first.subscribe('handover', () => {});
    await eventually(async () => first.isRefresher('handover'), Boolean);
    const seen: LiveMessage<string>[] = [];
    const leaveSecond = second.subscribe('handover', (m) => seen.push(m));
    await eventually(
      async () => seen.length,
      (n) => n >= 2,
    );
    expect(second.isRefresher('handover')).toBe(false);

    leaveFirst();
    await eventually(
      async () => seen.at(-1)!.snapshot,
      (by) => by === 'second',
    );
    expect(second.isRefresher('handover')).toBe(true);
    expect(await admin.pubsub('NUMSUB', keys.liveChannel('handover'))).toEqual([keys.liveChannel('handover'), 1]);
    leaveSecond();
    await eventually(
      async () =>
        (await admin.exists(keys.liveLease('handover'))) +
        ((await admin.pubsub('NUMSUB', keys.liveChannel('handover'))) as [string, number])[1],
      (n) => n === 0,
    );
  });

  it('replaces a refresher whose instance is killed (SIGKILL) within one lease period, and viewers keep getting updates', async () => {
    const child = spawn(
      process.execPath,
      ['--conditions=react-server', '--import', 'tsx', 'tests/support/live-instance.ts'],
      {
        cwd: repoPath(),
        detached: true,
        stdio: ['ignore', 'pipe', 'inherit'],
        env: {
          ...process.env,
          REDIS_URL: server.url,
          LIVE_ENVIRONMENT: 'killed',
          LIVE_TICK_MS: String(TICK_MS),
          LIVE_LEASE_MS: String(LEASE_MS),
        },
      },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => String(d).includes('REFRESHING') && resolve());
        child.once('exit', (code) => reject(new Error(`the instance exited (${code}) before it refreshed`)));
      });
      const survivor = instance(async () => ({ pid: process.pid }));
      const seen: LiveMessage<{ pid: number }>[] = [];
      survivor.subscribe('killed', (m) => seen.push(m));
      await eventually(
        async () => seen.filter((m) => m.snapshot.pid === child.pid).length,
        (n) => n >= 2,
      );
      expect(survivor.isRefresher('killed')).toBe(false);

      process.kill(child.pid!, 'SIGKILL');
      const killedAt = Date.now();
      await eventually(
        async () => seen.at(-1)!.snapshot.pid,
        (pid) => pid === process.pid,
        3 * LEASE_MS,
      );
      const handedOverIn = Date.now() - killedAt;
      const versions = seen.map((m) => m.version);
      expect(versions, 'numbering goes on where the killed refresher stopped').toEqual(
        [...versions].sort((a, b) => a - b),
      );
      // The bound is the lease period; one tick more for timers that fire late on a busy machine.
      expect(handedOverIn).toBeLessThanOrEqual(LEASE_MS + TICK_MS);
    } finally {
      await stopProcessGroup(child);
    }
  });
});

describe('lib/sse', () => {
  it('streams numbered snapshot events, skips what the client already has, and unsubscribes when the request ends', async () => {
    let loads = 0;
    const hub = instance(async () => ({ load: ++loads }));
    const warm = hub.subscribe('sse', () => {});
    await eventually(async () => hub.isRefresher('sse'), Boolean);
    const abort = new AbortController();
    const reader = liveEventStream(hub, 'sse', { signal: abort.signal, lastEventId: 0 }).getReader();
    const decoder = new TextDecoder();
    let text = '';
    while ((text.match(/event: snapshot/g) ?? []).length < 2) text += decoder.decode((await reader.read()).value);
    expect(text.startsWith('retry: 2000\n\n')).toBe(true);
    const events = [...text.matchAll(/id: (\d+)\nevent: snapshot\ndata: (.*)\n\n/g)].map((m) => ({
      id: Number(m[1]),
      data: JSON.parse(m[2]),
    }));
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events[1].id).toBeGreaterThan(events[0].id);
    expect(events[0].data).toMatchObject({ version: events[0].id, snapshot: { load: expect.any(Number) } });
    expect(hub.subscriberCount('sse')).toBe(2);
    abort.abort();
    expect(hub.subscriberCount('sse')).toBe(1);
    expect((await reader.read()).done).toBe(true);

    // A reconnect that has seen the latest version gets nothing again, only what is newer.
    const latest = events.at(-1)!.id;
    const again = new AbortController();
    const resumed = liveEventStream(hub, 'sse', { signal: again.signal, lastEventId: latest + 1000 }).getReader();
    await resumed.read(); // retry line
    const next = await Promise.race([resumed.read().then(() => 'event'), sleep(2 * TICK_MS).then(() => 'nothing')]);
    expect(next).toBe('nothing');
    again.abort();
    warm();
  });
});
