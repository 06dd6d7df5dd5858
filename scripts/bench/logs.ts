/**
 * The diagnose figures:
 * - tail fan-out: one viewer, then 2 instances × 50 viewers of one live tail; FilterLogEvents
 *   calls per minute for each (the ratio: the same, one reader) and each line's delivery delay
 *   to every viewer (written → received), p50 and p99;
 * - log search over 100,000 lines in one log group of the emulator: p50 and p95 of a search
 *   (words, a pattern, nothing matching, one task), newest first, as lib/logs.ts runs it;
 * - the diagnosis's time to answer during a fault (an unhealthy target): the snapshot read
 *   with nothing cached (every source, as a cold page does) and diagnosed, and with the cache warm.
 * Lines here are written by the bench itself into a stream of its own (a bench, not a test of
 * what the services wrote).
 */
import { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { InitializeMiddleware, MetadataBearer } from '@smithy/types';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { logsClient } from '../../lib/aws/logs';
import { createCache } from '../../lib/cache';
import { getEnvironmentOrThrow, logGroups } from '../../lib/environments';
import { createTailHub, tailName } from '../../lib/log-tail';
import { LogSearchQuery, searchLogs } from '../../lib/logs';
import { getEnvironmentSnapshot } from '../../lib/snapshot';
import { diagnose } from '../../model/diagnosis';
import { controlEmulator, EMULATOR_CREDENTIALS } from '../platform/local-platform';
import type { SeededPlatform } from '../platform/seeded-platform';
import { record } from './report';

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
};

function countFilterCalls(): () => number {
  let calls = 0;
  const client = logsClient(getEnvironmentOrThrow('staging'));
  const counter: InitializeMiddleware<object, MetadataBearer> = (next, context) => async (args) => {
    if (context.commandName === 'FilterLogEventsCommand') calls++;
    return next(args);
  };
  client.middlewareStack.add(counter, { step: 'initialize' });
  return () => calls;
}

async function writeLines(platform: SeededPlatform, stream: string, events: { timestamp: number; message: string }[]) {
  const env = getEnvironmentOrThrow('staging');
  const client = new CloudWatchLogsClient({
    region: env.aws.region,
    endpoint: platform.emulator.url,
    credentials: EMULATOR_CREDENTIALS,
  });
  const group = logGroups(env).services.api;
  try {
    await client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream })).catch(() => {});
    for (let i = 0; i < events.length; i += 10_000)
      await client.send(
        new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: events.slice(i, i + 10_000) }),
      );
  } finally {
    client.destroy();
  }
}

export async function benchTailFanout(platform: SeededPlatform) {
  const calls = countFilterCalls();
  const connections: Redis[] = [];
  const hub = () => {
    const redis = new Redis(platform.env.REDIS_URL);
    const subscriber = new Redis(platform.env.REDIS_URL);
    connections.push(redis, subscriber);
    return createTailHub(redis, subscriber);
  };
  const [a, b] = [hub(), hub()];
  const name = tailName('staging', 'api');
  const stream = `api/api/${randomUUID()}`;
  const PHASE_MS = 20_000;
  try {
    const phase = async (viewers: number) => {
      const delays: number[] = [];
      const stops = Array.from({ length: viewers }, (_, i) =>
        (i % 2 ? b : a).subscribe(name, (message) => {
          const now = Date.now();
          for (const line of message.snapshot.lines)
            if (line.stream === stream) delays.push(now - Number(line.message.split(' ')[1]));
        }),
      );
      await new Promise((r) => setTimeout(r, 2_000)); // a reader has the lease and is reading
      const before = calls();
      const started = Date.now();
      while (Date.now() - started < PHASE_MS) {
        const at = Date.now();
        await writeLines(platform, stream, [{ timestamp: at, message: `bench ${at}` }]);
        await new Promise((r) => setTimeout(r, 200));
      }
      await new Promise((r) => setTimeout(r, 2_000)); // the last lines arrive
      const perMinute = ((calls() - before) * 60_000) / (Date.now() - started - 2_000 + 2_000);
      for (const stop of stops) stop();
      await new Promise((r) => setTimeout(r, 500));
      return { perMinute, delays };
    };
    const one = await phase(1);
    const many = await phase(100);
    const readers = [a, b].filter((h) => h.isRefresher(name)).length;
    record({ group: 'live tail', figure: 'FilterLogEvents calls, 1 viewer', value: one.perMinute, unit: '/min' });
    record({
      group: 'live tail',
      figure: 'FilterLogEvents calls, 2 instances x 50 viewers',
      value: many.perMinute,
      unit: '/min',
      ratio: many.perMinute / one.perMinute,
      ratioOf: '100 viewers / 1 viewer',
    });
    record({
      group: 'live tail',
      figure: 'line delivery p50, 100 viewers',
      value: percentile(many.delays, 50),
      unit: 'ms',
    });
    record({
      group: 'live tail',
      figure: 'line delivery p99, 100 viewers',
      value: percentile(many.delays, 99),
      unit: 'ms',
    });
    record({ group: 'live tail', figure: 'deliveries, 100 viewers', value: many.delays.length, unit: 'lines' });
    console.log(
      `live tail: ${one.perMinute.toFixed(0)} vs ${many.perMinute.toFixed(0)} FilterLogEvents/min (1 vs 100 viewers), readers now ${readers}; delivery p50 ${percentile(many.delays, 50)} ms, p99 ${percentile(many.delays, 99)} ms over ${many.delays.length}`,
    );
  } finally {
    await Promise.all([a.close(), b.close()]);
    for (const c of connections) c.disconnect();
  }
}

export async function benchLogSearch(platform: SeededPlatform) {
  const env = getEnvironmentOrThrow('staging');
  const taskId = randomUUID();
  const LINES = 100_000;
  const now = Date.now();
  // The last hour, newest last; one line in a hundred an error, each with a request id.
  const events = Array.from({ length: LINES }, (_, i) => {
    const at = now - 3_600_000 + Math.floor((i * 3_600_000) / LINES);
    const error = i % 100 === 0;
    return {
      timestamp: at,
      message: JSON.stringify({
        level: error ? 50 : 30,
        msg: error ? 'job failed' : 'request completed',
        reqId: `req-${i}`,
      }),
    };
  });
  const started = Date.now();
  await writeLines(platform, `api/api/${taskId}`, events);
  console.log(`log search: ${LINES} lines written in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const queries = [
    { q: 'job failed', range: '1h' },
    { q: '"job failed" -req-500', mode: 'pattern', range: '1h' },
    { q: '%req-9[0-9]{4}%', mode: 'pattern', range: '1h' },
    { q: randomUUID(), range: '1h' },
    { task: taskId, range: '15m' },
  ];
  const timings: number[] = [];
  let calls = 0;
  for (let round = 0; round < 4; round++)
    for (const q of queries) {
      const t0 = performance.now();
      const result = await searchLogs(env, 'api', LogSearchQuery.parse({ limit: '100', ...q }));
      timings.push(performance.now() - t0);
      calls += result.calls;
    }
  record({ group: 'log search', figure: `search p50, ${LINES} lines`, value: percentile(timings, 50), unit: 'ms' });
  record({ group: 'log search', figure: `search p95, ${LINES} lines`, value: percentile(timings, 95), unit: 'ms' });
  record({
    group: 'log search',
    figure: 'FilterLogEvents calls per search',
    value: calls / timings.length,
    unit: 'calls',
  });
  console.log(
    `log search over ${LINES} lines: p50 ${percentile(timings, 50).toFixed(0)} ms, p95 ${percentile(timings, 95).toFixed(0)} ms, ${(calls / timings.length).toFixed(1)} calls a search`,
  );
}

export async function benchDiagnosis(platform: SeededPlatform) {
  const env = getEnvironmentOrThrow('staging');
  const redis = new Redis(platform.env.REDIS_URL);
  const fault = { targetGroupArn: env.alb.targetGroupArns.api, targetId: '10.10.10.11' };
  await controlEmulator(platform.emulator.url, 'elbv2/target-health', {
    ...fault,
    state: 'unhealthy',
    reason: 'Target.ResponseCodeMismatch',
    description: 'Health checks failed with these codes: [502]',
  });
  try {
    const cold: number[] = [];
    const warm: number[] = [];
    let top = '';
    for (let i = 0; i < 8; i++) {
      const stale = await redis.keys('ph:cache:*');
      if (stale.length) await redis.del(...stale);
      let t0 = performance.now();
      const snapshot = await getEnvironmentSnapshot(env, createCache(redis));
      const diagnosis = diagnose(snapshot, Date.now());
      cold.push(performance.now() - t0);
      top = diagnosis?.suspects[0]?.title ?? '(none)';
      t0 = performance.now();
      diagnose(await getEnvironmentSnapshot(env, createCache(redis)), Date.now());
      warm.push(performance.now() - t0);
    }
    record({
      group: 'diagnosis',
      figure: 'time to answer, nothing cached (p50)',
      value: percentile(cold, 50),
      unit: 'ms',
    });
    record({ group: 'diagnosis', figure: 'time to answer, cache warm (p50)', value: percentile(warm, 50), unit: 'ms' });
    console.log(
      `diagnosis: ${percentile(cold, 50).toFixed(0)} ms with nothing cached, ${percentile(warm, 50).toFixed(0)} ms warm; top suspect: ${top}`,
    );
  } finally {
    await controlEmulator(platform.emulator.url, 'elbv2/target-health', { ...fault, state: 'healthy' });
    redis.disconnect();
  }
}
