/**
 * No accepted job is lost and none completes twice, while the job store or a worker fails
 * mid-work: Redis killed and restarted from its append-only file, Redis paused (SIGSTOP) for
 * longer than a job's lock, a worker killed with SIGKILL. Each test runs the built `api` and
 * `worker` (what the Dockerfile runs) against a redis-server of its own; artifacts go to the
 * emulator's S3. "Completed once" is read from BullMQ's own event stream.
 */
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import {
  EMULATOR_CREDENTIALS,
  startRedis,
  artifactsBucket,
  startApi,
  startWorker,
  type ServiceProcess,
  startTargetSite,
  type TargetSite,
} from '../../scripts/platform';
import { eventually } from '../support/aws';
import { startAwsFaultProxy } from '../support/aws-fault-proxy';

const KEY = 'faults-secret-0123456789';
/** Short, so a lost lock shows within seconds (production keeps BullMQ's 30 s). */
const JOB_LOCK_MS = 3_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let started: { stop: () => Promise<void> }[] = [];
let paused: number[] = [];
afterEach(async () => {
  for (const pid of paused) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      /* gone */
    }
  }
  paused = [];
  // Newest first: a restarted Redis before the first one (which owns the directory); the services cope with either gone.
  for (const thing of started.reverse()) await thing.stop();
  started = [];
});

function own<T extends { stop: () => Promise<void> }>(thing: T): T {
  started.push(thing);
  return thing;
}

async function platform(options: { appendOnly?: boolean; awsEndpoint?: string } = {}) {
  const site: TargetSite = await startTargetSite();
  own({ stop: site.close });
  const redis = own(await startRedis(options));
  const env = {
    REDIS_URL: redis.url,
    ARTIFACTS_BUCKET: artifactsBucket('staging'),
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL: options.awsEndpoint ?? inject('emulatorUrl'),
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    WORKER_URL_ALLOWLIST: site.host,
    API_KEYS: `test:${KEY}`,
    RATE_LIMIT_PER_MINUTE: '10000',
    JOB_TIMEOUT_MS: '20000',
    JOB_LOCK_MS: String(JOB_LOCK_MS),
    ENVIRONMENT: 'faults-test',
    BACKLOG_METRIC_INTERVAL_MS: '0',
    LOG_LEVEL: 'info',
  };
  const [api, worker] = await Promise.all([startApi(env), startWorker(env)]);
  own(api);
  own(worker);
  return { site, redis, env, api, worker };
}

type Api = ServiceProcess & { url: string };

/** A client as the api's docs ask: on 503, wait and send the same request with the same Idempotency-Key. */
async function submitUntilAccepted(
  api: Api,
  url: string,
  idempotencyKey: string,
  refusals: { count: number },
): Promise<string> {
  for (;;) {
    const res = await fetch(`${api.url}/api/jobs`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${KEY}`,
        'content-type': 'application/json',
        'idempotency-key': idempotencyKey,
      },
      body: JSON.stringify({ kind: 'scrape', input: { url, selectors: ['h1'] } }),
    });
    const body = (await res.json()) as { id: string; error?: { code: string } };
    if (res.status === 202 || res.status === 200) return body.id;
    if (res.status !== 503) throw new Error(`unexpected ${res.status}: ${JSON.stringify(body)}`);
    expect(body.error?.code).toBe('unavailable');
    refusals.count++;
    await sleep(250);
  }
}

async function jobState(api: Api, id: string): Promise<string> {
  const res = await fetch(`${api.url}/api/jobs/${id}`, { headers: { authorization: `Bearer ${KEY}` } });
  return res.status === 200 ? ((await res.json()) as { state: string }).state : `http ${res.status}`;
}

/** BullMQ's event stream for a queue (scrape unless named): how many times each job completed, and which stalled. */
async function queueEvents(redisUrl: string, queue = 'scrape') {
  const redis = new Redis(redisUrl);
  try {
    const entries = await redis.xrange(`bull:${queue}:events`, '-', '+');
    const completed = new Map<string, number>();
    const stalled = new Set<string>();
    for (const [, fields] of entries) {
      const record = Object.fromEntries(
        fields.reduce<[string, string][]>((pairs, v, i) => (i % 2 ? pairs : [...pairs, [v, fields[i + 1]]]), []),
      );
      if (record.event === 'completed') completed.set(record.jobId, (completed.get(record.jobId) ?? 0) + 1);
      if (record.event === 'stalled') stalled.add(record.jobId);
    }
    const counts = await redis
      .multi()
      .llen(`bull:${queue}:wait`)
      .llen(`bull:${queue}:active`)
      .zcard(`bull:${queue}:failed`)
      .zcard(`bull:${queue}:completed`)
      .exec();
    const [waiting, active, failed, done] = counts!.map(([, n]) => n as number);
    return { completed, stalled, waiting, active, failed, done };
  } finally {
    redis.disconnect();
  }
}

describe('jobs through job-store and worker failures', () => {
  it('Redis killed (SIGKILL) and restarted from its append-only file while clients submit and the worker runs: health 503 then 200, every accepted job completes exactly once', async () => {
    const { site, redis, env, api, worker } = await platform({ appendOnly: true });
    const JOBS = 16;
    const refusals = { count: 0 };
    const accepted: string[] = [];
    const submitting = (async () => {
      for (let i = 0; i < JOBS; i++) {
        accepted.push(await submitUntilAccepted(api, `${site.url}/slow?ms=400&n=${i}`, `restart-${i}`, refusals));
        await sleep(150);
      }
    })();
    // Mid-work: jobs accepted and a page being rendered.
    await eventually(
      async () => ({ accepted: accepted.length, rendering: site.hits('/slow') }),
      (s) => s.accepted >= 4 && s.rendering >= 1,
      30_000,
    );

    process.kill(redis.pid, 'SIGKILL');
    const down = await eventually(
      () => fetch(`${api.url}/api/health/`),
      (res) => res.status === 503,
      10_000,
    );
    expect(await down.json()).toEqual({ status: 'unavailable', reason: 'redis_unavailable' });
    await sleep(1_500);
    own(await startRedis({ appendOnly: true, restartOf: { port: redis.port, dir: redis.dir } }));
    await eventually(
      async () => (await fetch(`${api.url}/api/health/`)).status,
      (status) => status === 200,
      20_000,
    );

    await submitting;
    expect(refusals.count, 'clients were refused while Redis was down').toBeGreaterThan(0);
    expect(new Set(accepted).size).toBe(JOBS); // one job per idempotency key, retried or not
    for (const id of accepted)
      await eventually(
        () => jobState(api, id),
        (state) => state === 'completed',
        60_000,
      );

    const events = await queueEvents(env.REDIS_URL);
    expect(accepted.map((id) => events.completed.get(id) ?? 0)).toEqual(Array(JOBS).fill(1));
    expect(events).toMatchObject({ waiting: 0, active: 0, failed: 0, done: JOBS }); // nothing else in the queue
    expect(api.child.exitCode).toBeNull();
    expect(worker.child.exitCode).toBeNull();
  }, 120_000);

  it(`Redis paused (SIGSTOP) for longer than a job's lock: the jobs it held are taken back as stalled and each completes exactly once`, async () => {
    const { site, redis, env, api, worker } = await platform();
    const refusals = { count: 0 };
    const ids = await Promise.all(
      [0, 1, 2, 3].map((i) => submitUntilAccepted(api, `${site.url}/slow?ms=1500&n=${i}`, `pause-${i}`, refusals)),
    );
    await eventually(
      async () => site.hits('/slow'),
      (n) => n >= 2,
      30_000,
    ); // both of the worker's slots mid-render

    process.kill(redis.pid, 'SIGSTOP');
    paused.push(redis.pid);
    await sleep(JOB_LOCK_MS * 2 + 1_000);
    process.kill(redis.pid, 'SIGCONT');

    for (const id of ids)
      await eventually(
        () => jobState(api, id),
        (state) => state === 'completed',
        60_000,
      );
    const events = await queueEvents(env.REDIS_URL);
    expect(ids.map((id) => events.completed.get(id) ?? 0)).toEqual([1, 1, 1, 1]);
    expect(events.stalled.size, 'the jobs running through the pause lost their locks').toBeGreaterThan(0);
    expect(events).toMatchObject({ waiting: 0, active: 0, failed: 0, done: 4 });
    expect(worker.child.exitCode).toBeNull();
  }, 120_000);

  it('a worker killed (SIGKILL) mid-job: the job is taken back as stalled, completes exactly once on another worker, and its follower sees it finish', async () => {
    const { site, env, api, worker: killed } = await platform();
    const id = await submitUntilAccepted(api, `${site.url}/slow?ms=4000`, 'sigkill', { count: 0 });
    await eventually(
      async () => site.hits('/slow'),
      (n) => n >= 1,
      30_000,
    ); // mid-render
    expect(await jobState(api, id)).toBe('active');
    // A follower of the job (GET /api/jobs/:id/events): the server ends the stream when the job ends.
    const followed = fetch(`${api.url}/api/jobs/${id}/events`, { headers: { authorization: `Bearer ${KEY}` } }).then(
      (res) => res.text(),
    );
    const rescuer = own(await startWorker(env));

    process.kill(-killed.pid, 'SIGKILL'); // the worker and its Chromium, with no chance to hand the job back
    expect(await killed.exited).toBeNull();

    await eventually(
      () => jobState(api, id),
      (state) => state === 'completed',
      60_000,
    );
    const stream = await followed;
    expect([...stream.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]).at(-1)).toBe('completed');
    const events = await queueEvents(env.REDIS_URL);
    expect(events.completed.get(id)).toBe(1);
    expect(events.stalled.has(id)).toBe(true);
    expect(killed.logs.some((l) => l.jobId === id && l.msg === 'job completed')).toBe(false);
    expect(rescuer.logs.filter((l) => l.jobId === id && l.msg === 'job completed')).toHaveLength(1);
    expect(site.hits('/slow')).toBe(2); // started twice, completed once
  }, 120_000);

  it('S3 gone mid-job (its endpoint refusing connections), then back: the attempt fails saying so, the retry writes the screenshot, and the job completes once', async () => {
    // The worker reaches AWS (S3) only through a proxy this test stops and starts; Redis is untouched.
    const emulator = new URL(inject('emulatorUrl'));
    const s3 = await startAwsFaultProxy({ host: emulator.hostname, port: Number(emulator.port) });
    own({ stop: s3.stop });
    const { site, env, api, worker } = await platform({ awsEndpoint: s3.url });
    const created = await fetch(`${api.url}/api/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'idempotency-key': 's3-gone' },
      body: JSON.stringify({ kind: 'screenshot', input: { url: `${site.url}/slow?ms=2000` } }),
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    await eventually(
      async () => site.hits('/slow'),
      (n) => n >= 1,
      30_000,
    ); // mid-render: the upload comes after
    await s3.stop();
    try {
      // The attempt fails on the upload, and the worker says why.
      await eventually(
        async () => worker.logs.filter((l) => l.jobId === id && l.msg === 'job failed'),
        (failed) => failed.length >= 1,
        30_000,
      );
    } finally {
      await s3.start();
    }
    const [failure] = worker.logs.filter((l) => l.jobId === id && l.msg === 'job failed');
    expect(failure).toMatchObject({ retryable: true, err: expect.stringMatching(/ECONNREFUSED|connect/) });

    await eventually(
      () => jobState(api, id),
      (state) => state === 'completed',
      60_000,
    );
    const events = await queueEvents(env.REDIS_URL, 'screenshot');
    expect(events.completed.get(id), 'completed once').toBe(1);
    const job = (await (
      await fetch(`${api.url}/api/jobs/${id}`, { headers: { authorization: `Bearer ${KEY}` } })
    ).json()) as { attempts: number; result: { artifact: { bucket: string; key: string; bytes: number } } };
    expect(job.attempts).toBe(2);
    // The screenshot is in S3 (read past the proxy), as the job's result says.
    const client = new S3Client({
      region: 'eu-west-1',
      endpoint: inject('emulatorUrl'),
      forcePathStyle: true,
      credentials: EMULATOR_CREDENTIALS,
    });
    try {
      const object = await client.send(
        new HeadObjectCommand({ Bucket: job.result.artifact.bucket, Key: job.result.artifact.key }),
      );
      expect(object.ContentLength).toBe(job.result.artifact.bytes);
    } finally {
      client.destroy();
    }
    expect(site.hits('/slow')).toBe(2); // rendered twice (the first render's upload failed), completed once
  }, 120_000);
});
