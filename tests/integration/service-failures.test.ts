/**
 * The `api` and `worker` processes when Redis fails and when they are told to stop: each test
 * runs a built service (what the Dockerfile runs) against a redis-server of its own, then
 * stops or pauses that Redis, or sends SIGTERM, mid-work.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startRedis, startApi, startWorker, type ServiceProcess, type RunningServer } from '../../scripts/platform';

const KEY = 'failure-secret-0123456789';
let redis: RunningServer | undefined;
let api: (ServiceProcess & { url: string }) | undefined;

async function startPair() {
  redis = await startRedis();
  api = await startApi({
    REDIS_URL: redis.url,
    ARTIFACTS_BUCKET: 'unused-bucket',
    API_KEYS: `test:${KEY}`,
    WORKER_URL_ALLOWLIST: 'example.test',
    LOG_LEVEL: 'info',
  });
  return { redis, api };
}

afterEach(async () => {
  try {
    if (redis) process.kill(redis.pid, 'SIGCONT');
  } catch {
    /* already stopped */
  }
  await api?.stop();
  await redis?.stop();
  api = undefined;
  redis = undefined;
});

const post = (url: string, body: unknown) =>
  fetch(`${url}/api/jobs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const job = { kind: 'screenshot', input: { url: 'http://93.184.216.34/' } };

describe('the api when Redis fails', () => {
  it('answers health 503 with a reason code and jobs 503 with Retry-After, never 500 and never Redis’s text, and keeps running', async () => {
    const { redis: r, api: a } = await startPair();
    expect((await fetch(`${a.url}/api/health/`)).status).toBe(200);

    await r.stop(); // Redis gone: the rate limiter's store and the queue both fail

    const health = await fetch(`${a.url}/api/health/`);
    const healthText = await health.text();
    expect(health.status).toBe(503);
    expect(health.headers.get('retry-after')).toBe('5');
    expect(JSON.parse(healthText)).toEqual({ status: 'unavailable', reason: 'redis_unavailable' });
    const created = await post(a.url, job);
    const createdText = await created.text();
    expect(created.status).toBe(503);
    expect(created.headers.get('retry-after')).toBe('5');
    expect(JSON.parse(createdText).error.code).toBe('unavailable');
    for (const text of [healthText, createdText]) {
      expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|Connection is closed|max retries/i);
    }
    const read = await fetch(`${a.url}/api/jobs/screenshot-00000000-0000-0000-0000-000000000000`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(read.status).toBe(503);
    expect(a.child.exitCode).toBeNull(); // still serving
    // The cause is in the log for the operator.
    expect(a.logs.some((l) => l.msg === 'redis unavailable' || l.msg === 'health check failed')).toBe(true);
  });

  it('answers 503 while Redis is paused past its command timeout, then 200 again when it resumes', async () => {
    const { redis: r, api: a } = await startPair();
    process.kill(r.pid, 'SIGSTOP');
    const paused = await fetch(`${a.url}/api/health/`);
    expect(paused.status).toBe(503);
    expect(await paused.json()).toEqual({ status: 'unavailable', reason: 'redis_unavailable' });
    // A job request neither hangs nor fails with 500: Redis commands time out into a 503.
    const created = await post(a.url, job);
    expect(created.status).toBe(503);
    expect(created.headers.get('retry-after')).toBe('5');

    process.kill(r.pid, 'SIGCONT');
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = (await fetch(`${a.url}/api/health/`)).status;
      if (status !== 200) await new Promise((res) => setTimeout(res, 100));
    }
    expect(status).toBe(200);
  });
});

describe('the api on SIGTERM', () => {
  it('ends an open job-event stream with a shutdown event and exits 0, instead of waiting on the stream', async () => {
    const { api: a } = await startPair();
    const created = await post(a.url, job); // no worker runs: the job waits, its stream stays open
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    const res = await fetch(`${a.url}/api/jobs/${id}/events`, { headers: { authorization: `Bearer ${KEY}` } });
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('event: state')) text += new TextDecoder().decode((await reader.read()).value);

    process.kill(a.pid, 'SIGTERM'); // mid-stream

    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    expect(text).toMatch(/event: shutdown/);
    expect(await a.exited).toBe(0);
  });
});

describe('the worker when its Redis is gone', () => {
  it('stops on SIGTERM without waiting on a Redis that cannot answer, and exits 0', async () => {
    redis = await startRedis();
    const worker = await startWorker({
      REDIS_URL: redis.url,
      ARTIFACTS_BUCKET: 'unused-bucket',
      BACKLOG_METRIC_INTERVAL_MS: '0',
      LOG_LEVEL: 'info',
    });
    try {
      await redis.stop();
      await worker.waitForLog((l) => /worker error|Connection is closed|ECONNREFUSED/.test(JSON.stringify(l)));

      process.kill(worker.pid, 'SIGTERM');

      expect(await worker.exited).toBe(0);
      expect(
        worker.logs.some(
          (l) => typeof l.msg === 'string' && l.msg.startsWith('redis unreachable: stopping without waiting'),
        ),
      ).toBe(true);
    } finally {
      await worker.stop();
    }
  });
});
