/**
 * Cost of watching: AWS calls and Redis commands per minute for one live viewer on one
 * control-plane instance, against 500 viewers spread over two instances (two live hubs, each
 * with Redis connections of its own, as two processes have), each viewer an SSE stream being
 * read as a browser reads it. AWS calls are counted at the emulator, Redis commands from
 * INFO commandstats; memory is the heap the viewers' streams add.
 */
import { KEY_PREFIX } from '../../contracts/keys';
import { Redis } from 'ioredis';
import { getEnvironmentOrThrow } from '../../lib/environments';
import { createLiveHub, type LiveHub } from '../../lib/live';
import { getEnvironmentSnapshot } from '../../lib/snapshot';
import { liveEventStream } from '../../lib/sse';
import type { RunningServer } from '../platform/local-platform';
import { record } from './report';

const WINDOW_MS = 60_000;
/** Before the window: the cold fill, the lease and the viewers' first messages (the same for each run). */
const WARMUP_MS = 10_000;
const RUNS = [
  { instances: 1, viewers: 1 },
  { instances: 2, viewers: 500 },
];

async function awsRequests(emulator: RunningServer): Promise<number> {
  const res = await fetch(`${emulator.url}/_pilothouse/requests`);
  return ((await res.json()) as { total: number }).total;
}

async function redisCommands(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  return [...info.matchAll(/calls=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/** One SSE viewer: reads its stream until aborted, counting events. */
function viewer(hub: LiveHub<unknown>, environment: string, counter: { events: number }) {
  const abort = new AbortController();
  const reader = liveEventStream(hub, environment, { signal: abort.signal }).getReader();
  const decoder = new TextDecoder();
  void (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      counter.events += (decoder.decode(value).match(/^event: snapshot$/gm) ?? []).length;
    }
  })();
  return () => abort.abort();
}

export async function benchReaders(emulator: RunningServer, redisServer: RunningServer) {
  const admin = new Redis(redisServer.url);
  const staging = getEnvironmentOrThrow('staging');
  const load = (name: string) => getEnvironmentSnapshot(getEnvironmentOrThrow(name));
  // INFO itself is counted (by the next INFO): measure that once instead of guessing it.
  const infoOverhead = -(await redisCommands(admin)) + (await redisCommands(admin));
  const rows: {
    instances: number;
    viewers: number;
    awsPerMinute: number;
    redisPerMinute: number;
    events: number;
    heapPer100Kb: number;
  }[] = [];
  const connections: Redis[] = [];
  try {
    for (const run of RUNS) {
      const hubs = Array.from({ length: run.instances }, () => {
        const redis = new Redis(redisServer.url);
        const subscriber = new Redis(redisServer.url);
        connections.push(redis, subscriber);
        return createLiveHub({ redis, subscriber, load });
      });
      // Each run starts cold, so every run pays the same first fill.
      const cached = await admin.keys(`${KEY_PREFIX}*`);
      if (cached.length) await admin.del(...cached);
      global.gc?.();
      const heap0 = process.memoryUsage().heapUsed;
      const counter = { events: 0 };
      const close = Array.from({ length: run.viewers }, (_, i) => viewer(hubs[i % hubs.length], staging.name, counter));
      await new Promise((r) => setTimeout(r, WARMUP_MS));
      // The steady state, as the cost of watching is counted: per minute while people watch.
      const aws0 = await awsRequests(emulator);
      const redis0 = await redisCommands(admin);
      await new Promise((r) => setTimeout(r, WINDOW_MS));
      global.gc?.();
      const heap = process.memoryUsage().heapUsed - heap0;
      close.forEach((c) => c());
      const aws = (await awsRequests(emulator)) - aws0;
      const redis = (await redisCommands(admin)) - redis0 - infoOverhead;
      await Promise.all(hubs.map((hub) => hub.close()));
      const perMinute = (n: number) => (n * 60_000) / WINDOW_MS;
      rows.push({
        ...run,
        awsPerMinute: perMinute(aws),
        redisPerMinute: perMinute(redis),
        events: counter.events,
        heapPer100Kb: ((heap / run.viewers) * 100) / 1024,
      });
    }
  } finally {
    connections.forEach((c) => c.disconnect());
    admin.disconnect();
  }
  console.log(
    `\nLive fan-out: SSE viewers of one environment, ${WINDOW_MS / 1000} s per run after ${WARMUP_MS / 1000} s of warm-up, cold cache at the start of each`,
  );
  for (const r of rows) {
    console.log(
      `  ${String(r.viewers).padStart(3)} viewers on ${r.instances} instance(s)  ${r.awsPerMinute.toFixed(0).padStart(4)} AWS calls/min  ${r.redisPerMinute.toFixed(0).padStart(5)} Redis commands/min  (${r.events} events delivered)`,
    );
  }
  const [one, many] = rows;
  console.log(
    `  ratio 500 viewers on 2 instances / 1 viewer on 1: AWS ${(many.awsPerMinute / one.awsPerMinute).toFixed(2)}, Redis ${(many.redisPerMinute / one.redisPerMinute).toFixed(2)} (goal: within 1.05 each)`,
  );
  console.log(
    `  server heap per 100 viewers: ${many.heapPer100Kb.toFixed(0)} KB${global.gc ? '' : ' (without --expose-gc: rough)'}`,
  );
  const group = 'live hubs in one process, 1 environment';
  record({
    group,
    figure: 'AWS calls per minute, 500 viewers on 2 hubs',
    value: many.awsPerMinute,
    unit: 'calls/min',
    ratio: many.awsPerMinute / one.awsPerMinute,
    ratioOf: `vs 1 viewer on 1 hub (${one.awsPerMinute.toFixed(0)}/min)`,
  });
  record({
    group,
    figure: 'Redis commands per minute, 500 viewers on 2 hubs',
    value: many.redisPerMinute,
    unit: 'commands/min',
    ratio: many.redisPerMinute / one.redisPerMinute,
    ratioOf: `vs 1 viewer on 1 hub (${one.redisPerMinute.toFixed(0)}/min)`,
  });
  record({ group, figure: 'server heap per 100 viewers', value: many.heapPer100Kb, unit: 'KB' });
}
