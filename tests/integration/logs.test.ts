/**
 * Log search against what the services really write: two `api` processes, each standing in for
 * one of staging's running api tasks, ship their output into the emulator's CloudWatch Logs as
 * the awslogs driver would (scripts/platform/log-forwarder.ts); lib/logs.ts searches it through
 * the real SDK client. Each request carries a marker of its own, so nothing here depends on
 * what other files wrote.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { logsClient } from '@/lib/aws/logs';
import { readTopErrors, TOP_ERRORS_GROUPS, TOP_ERRORS_MINUTES } from '@/lib/log-errors';
import { jobLogLines, LogSearchQuery, MAX_CALLS_PER_SEARCH, searchLogs } from '@/lib/logs';
import { AppError } from '@/model/errors';
import { startWorker, startApi, type ServiceProcess, type startGithubStandin } from '../../scripts/platform';
import {
  countCommands,
  emulatorClientConfig,
  eventually,
  pointDataLayerAtLocalPlatform,
  seededEnvironment,
  standInLogs,
  stagingServiceEnv,
} from '../support/aws';

const env = () => seededEnvironment('staging');
let github: Awaited<ReturnType<typeof startGithubStandin>>;
const apis: (ServiceProcess & { url: string; taskId: string })[] = [];

const query = (q: Record<string, unknown>) => LogSearchQuery.parse(q);
/** Lines the api writes for one request: fastify logs the URL it was asked for. */
const request = (api: { url: string }, marker: string) => fetch(`${api.url}/api/health/?marker=${marker}`);

/** Lines written straight into a task stream of staging's api group (not a service's output: for the search's own edges). */
async function writeStream(taskId: string, events: { timestamp: number; message: string }[]): Promise<string> {
  const group = `/ecs/${env().ecs.cluster}/api`;
  const stream = `api/api/${taskId}`;
  const client = new CloudWatchLogsClient(emulatorClientConfig(env().aws.region));
  try {
    await client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
    await client.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: events }));
  } finally {
    client.destroy();
  }
  return stream;
}

beforeAll(async () => {
  github = await pointDataLayerAtLocalPlatform('ghs_logs');
  process.env.REDIS_URL = `${inject('redisUrl')}/13`;
  const redis = new Redis(process.env.REDIS_URL);
  await redis.flushdb();
  redis.disconnect();
  for (const index of [0, 1]) {
    const logs = await standInLogs('api', index);
    const api = await startApi(stagingServiceEnv(), { logs });
    apis.push({ ...api, taskId: logs.taskId });
  }
});
afterAll(async () => {
  await Promise.all(apis.map((api) => api.stop()));
  await github?.close();
});

describe('top errors over what the worker wrote', () => {
  it('groups the worker’s real error lines of the last 15 minutes, with counts, by one Logs Insights query', async () => {
    const staging = env();
    const logs = await standInLogs('worker');
    // A Redis database of its own: this worker takes only the jobs this test gives it.
    const redisUrl = `${inject('redisUrl')}/14`;
    const worker = await startWorker(stagingServiceEnv({ REDIS_URL: redisUrl }), { logs });
    const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const queue = new Queue('scrape', { connection });
    try {
      // Three jobs the worker refuses (a loopback address, unique to this run): three error lines alike.
      const address = `127.${randomInt(1, 255)}.${randomInt(1, 255)}.${randomInt(1, 255)}`;
      const data = {
        kind: 'scrape',
        input: { url: `http://${address}/`, selectors: ['h1'] },
        owner: 'logs-test',
        createdAt: new Date().toISOString(),
      };
      const jobs = await Promise.all([1, 2, 3].map(() => queue.add('scrape', data, { attempts: 1 })));
      await eventually(
        () => Promise.all(jobs.map((job) => job.getState())),
        (states) => states.every((state) => state === 'failed'),
      );
      const calls = countCommands(logsClient(staging));
      // The jobs fail before their lines are all in CloudWatch (the forwarder sends every 250 ms,
      // later on a busy machine): wait for the third, then hold the count to exactly three.
      const top = await eventually(
        () => readTopErrors(staging),
        (t) => (t.groups.find((g) => g.detail.includes(address))?.count ?? 0) >= 3,
      );
      const group = top.groups.find((g) => g.detail.includes(address))!;
      expect(group).toMatchObject({
        role: 'worker',
        message: 'job failed',
        detail: `url refused: ${address} is a loopback address; refusing to fetch it`,
        count: 3,
      });
      expect(Date.parse(group.firstSeen)).toBeLessThanOrEqual(Date.parse(group.lastSeen));
      expect(Date.parse(top.to) - Date.parse(top.from)).toBe(TOP_ERRORS_MINUTES * 60_000);
      // Most frequent first, and the query's own bounds.
      const counts = top.groups.map((g) => g.count);
      expect(counts).toEqual([...counts].sort((a, b) => b - a));
      expect(top.groups.length).toBeLessThanOrEqual(TOP_ERRORS_GROUPS);
      expect(calls.get('StartQueryCommand')).toBeGreaterThanOrEqual(1);

      // The job page's lines: what the worker wrote for that job and no other, oldest first.
      const job = jobs[1];
      const finished = await queue.getJob(job.id!);
      const { lines } = await eventually(
        () =>
          jobLogLines(staging, {
            id: job.id!,
            createdAt: new Date(finished!.timestamp).toISOString(),
            finishedAt: new Date(finished!.finishedOn!).toISOString(),
          }),
        (read) => read.lines.some((l) => l.message.includes('job failed')),
      );
      const written = lines.map((l) => JSON.parse(l.message) as { jobId: string; msg: string });
      expect(written.every((w) => w.jobId === job.id)).toBe(true);
      expect(written.map((w) => w.msg)).toEqual(['job started', 'job failed']);
      expect(lines[0].taskId).toBe(logs.taskId);
    } finally {
      await queue.close();
      connection.disconnect(); // BullMQ closes only the connections it made
      await worker.stop();
    }
  });
});

describe('log search over what the api wrote', () => {
  it('finds a line the api wrote, scoped to the task that wrote it and to no other', async () => {
    const marker = randomUUID();
    expect((await request(apis[0], marker)).ok).toBe(true);
    const inService = await eventually(
      () => searchLogs(env(), 'api', query({ q: marker })),
      (r) => r.lines.length > 0,
    );
    expect(inService.lines.every((l) => l.message.includes(marker))).toBe(true);
    expect(new Set(inService.lines.map((l) => l.taskId))).toEqual(new Set([apis[0].taskId]));
    expect(inService.lines[0].stream).toBe(`api/api/${apis[0].taskId}`);

    const ownTask = await searchLogs(env(), 'api', query({ q: marker, task: apis[0].taskId }));
    expect(ownTask.scope).toEqual({ kind: 'task', taskId: apis[0].taskId });
    expect(ownTask.lines.map((l) => l.id)).toEqual(inService.lines.map((l) => l.id));
    const otherTask = await searchLogs(env(), 'api', query({ q: marker, task: apis[1].taskId }));
    expect(otherTask.lines).toEqual([]);
  });

  it('answers newest first, and pages through older lines without losing or repeating one', async () => {
    const run = randomUUID();
    const markers = Array.from({ length: 24 }, (_, i) => `${run}-${String(i).padStart(2, '0')}`);
    // Both tasks, alternating, one after another: the order across streams is the order written.
    for (const [i, marker] of markers.entries()) await request(apis[i % 2], marker);
    await eventually(
      () => searchLogs(env(), 'api', query({ q: run, limit: 500 })),
      (r) => new Set(r.lines.map((l) => /marker=([\w-]+)/.exec(l.message)?.[1])).size === markers.length,
    );

    const seen: string[] = [];
    const times: number[] = [];
    let before: string | undefined;
    let pages = 0;
    do {
      const page = await searchLogs(env(), 'api', query({ q: run, limit: 7, before }));
      pages++;
      expect(page.lines.length).toBeLessThanOrEqual(7);
      seen.push(...page.lines.map((l) => l.id));
      times.push(...page.lines.map((l) => l.timestamp));
      before = page.older ?? undefined;
    } while (before && pages < 20);
    expect(new Set(seen).size, 'no line shown twice').toBe(seen.length);
    const all = await searchLogs(env(), 'api', query({ q: run, limit: 500 }));
    expect(seen.sort()).toEqual(all.lines.map((l) => l.id).sort());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // The newest line is the last request's.
    expect(all.lines[0].message).toContain(markers.at(-1));
  });

  it('pages through lines that share a millisecond without losing or repeating one', async () => {
    // Written straight to a stream of its own: ties at a page's edge are what this checks, and
    // a service writes them only by chance. 30 lines on 3 timestamps, pages of 4.
    const taskId = randomUUID();
    const base = Date.now() - 60_000;
    const written = [0, 1, 2].flatMap((t) =>
      Array.from({ length: 10 }, (_, i) => ({ timestamp: base + t, message: `tie ${taskId} ${t}.${i}` })),
    );
    await writeStream(taskId, written);

    const seen: string[] = [];
    let before: string | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const page = await searchLogs(env(), 'api', query({ task: taskId, limit: 4, before }));
      seen.push(...page.lines.map((l) => l.message.split(' ').at(-1)!));
      before = page.older ?? undefined;
      if (!before) break;
    }
    // Newest first: within a millisecond, the order they were written in, reversed.
    expect(seen).toEqual(written.map((w) => w.message.split(' ').at(-1)!).reverse());
  });

  it('a stopped task’s logs open on its last lines: the window around its stop, newest first', async () => {
    // A third api, standing in for a task, stops: its stop is the moment a stopped task's link names.
    const logs = await standInLogs('api');
    const taskId = randomUUID(); // a task of its own, so only this process's lines are in its stream
    const stopping = await startApi(stagingServiceEnv(), { logs: { ...logs, stream: `api/api/${taskId}` } });
    await request(stopping, randomUUID());
    await stopping.stop();
    const stoppedAt = new Date().toISOString();
    const last = stopping.logs.at(-1)!;
    const opened = await eventually(
      () => searchLogs(env(), 'api', query({ task: taskId, at: stoppedAt })),
      (r) => r.lines.length > 0 && r.lines[0].message.includes(String(last.msg)),
    );
    expect(opened.scope).toEqual({ kind: 'task', taskId });
    expect(JSON.parse(opened.lines[0].message)).toMatchObject({ msg: last.msg });
    expect(opened.to - Date.parse(stoppedAt)).toBe(2 * 60_000);
  });

  it('reads CloudWatch filter patterns: an excluded term, a regular expression', async () => {
    const run = randomUUID();
    await request(apis[0], `${run}-keep`);
    await request(apis[0], `${run}-drop`);
    await eventually(
      () => searchLogs(env(), 'api', query({ q: run })),
      (r) => r.lines.some((l) => l.message.includes('-drop')),
    );
    const excluded = await searchLogs(env(), 'api', query({ q: `"${run}" -drop`, mode: 'pattern' }));
    expect(excluded.lines.length).toBeGreaterThan(0);
    expect(excluded.lines.every((l) => l.message.includes('-keep'))).toBe(true);
    const regex = await searchLogs(env(), 'api', query({ q: `%${run}-d[or]+p%`, mode: 'pattern' }));
    expect(regex.lines.length).toBeGreaterThan(0);
    expect(regex.lines.every((l) => l.message.includes('-drop'))).toBe(true);
  });

  it('refuses bad input with a clear message before any AWS call', async () => {
    const refused = (q: Record<string, unknown>) => {
      const parsed = LogSearchQuery.safeParse(q);
      return parsed.success ? null : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    };
    expect(refused({ q: '%(a+)+$%', mode: 'pattern' })).toMatch(/exponential/);
    expect(refused({ q: '%(%', mode: 'pattern' })).toMatch(/not a regular expression/);
    expect(refused({ q: 'x'.repeat(5_000), mode: 'pattern' })).toMatch(/at most 1024/);
    expect(refused({ q: '%a% %b% %c%', mode: 'pattern' })).toMatch(/at most 2 regular expressions/);
    expect(refused({ from: '2026-12-05T10:00:00Z', to: '2026-12-05T09:00:00Z' })).toMatch(/from: must be before to/);
    expect(refused({ task: '../../etc' })).toMatch(/task: must be an ECS task id/);
    expect(refused({ limit: '100000' })).toMatch(/limit/);

    const calls = countCommands(logsClient(env()));
    calls.clear();
    // A range longer than 14 days, and a task that never wrote here: refused, and neither scans.
    await expect(
      searchLogs(env(), 'api', query({ from: '2026-01-01T00:00:00Z', to: '2026-12-01T00:00:00Z' })),
    ).rejects.toThrow(/at most 14 days/);
    const unknown = await searchLogs(env(), 'api', query({ task: 'f'.repeat(32) })).catch((err: unknown) => err);
    expect(unknown).toBeInstanceOf(AppError);
    expect((unknown as AppError).code).toBe('invalid_input');
    expect((unknown as AppError).message).toMatch(/no task f{32} of api has written/);
    expect(calls.get('FilterLogEventsCommand') ?? 0).toBe(0);
    expect(calls.get('DescribeLogStreamsCommand'), 'the unknown task was looked up').toBe(1);
  });

  it('stays within its call budget, dense or empty, and says where to read on', async () => {
    // 2,500 lines over the last ten minutes (more than one call reads): the newest ten must be
    // found by narrowing toward the range's end, not by reading it all.
    const taskId = randomUUID();
    const stream = await writeStream(
      taskId,
      Array.from({ length: 2_500 }, (_, i) => ({ timestamp: Date.now() - 600_000 + i * 200, message: `dense ${i}` })),
    );
    const calls = countCommands(logsClient(env()));
    const dense = await searchLogs(env(), 'api', query({ task: taskId, range: '7d', limit: 10 }));
    expect(dense.lines.map((l) => l.message)).toEqual(Array.from({ length: 10 }, (_, i) => `dense ${2_499 - i}`));
    expect(dense.lines[0].stream).toBe(stream);
    expect(dense.older).toBe(`${dense.lines[9].timestamp}-1`);
    expect(dense.calls).toBeGreaterThan(1);
    expect(dense.calls).toBeLessThanOrEqual(MAX_CALLS_PER_SEARCH);
    expect(calls.get('FilterLogEventsCommand')).toBe(dense.calls);

    calls.clear();
    const none = await searchLogs(env(), 'api', query({ q: randomUUID(), range: '7d' }));
    expect(none.lines).toEqual([]);
    expect(none.older).toBeNull();
    expect(calls.get('FilterLogEventsCommand')).toBe(none.calls);
  });
});
