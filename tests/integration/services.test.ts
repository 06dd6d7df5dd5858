/**
 * The `api` and `worker` services end to end, as built processes (what the Dockerfile
 * runs), against the test run's real Redis, the emulator's S3 and Debian's Chromium.
 */
import { createHash } from 'node:crypto';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Queue, QueueEvents } from 'bullmq';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import {
  EMULATOR_CREDENTIALS,
  artifactsBucket,
  startApi,
  startWorker,
  type ServiceProcess,
  startTargetSite,
  type TargetSite,
} from '../../scripts/platform';
import { idempotencyRedisKey, requestBodyHash } from '../../worker/api/jobs';
import { CreateJobBody, JOB_KINDS, MAX_SCREENSHOT_HEIGHT_PX } from '../../contracts/jobs';
import { legacyServiceKeys, serviceKeys } from '../../contracts/keys';
import { invalidInput } from '../support/schema-arbitrary';
import { listJobEvidence } from '@/lib/aws/s3';
import type { Environment } from '@/lib/environments';
import { eventually } from '../support/aws';

const KEY = 'test-secret-0123456789';
const OTHER_KEY = 'other-secret-0123456789';
const BURST_KEY = 'burst-secret-0123456789';
const REPLAY_KEY = 'replay-secret-0123456789';
const FUZZ_KEY = 'fuzz-secret-0123456789ab';
const HOSTILE_KEY = 'hostile-secret-0123456789';
// Enough for every test's own jobs within a minute; the rate-limit tests use keys of their own.
const RATE_LIMIT = 60;
// A Redis database of its own, so these queues see only these tests' jobs.
const DB = 3;
const redisUrl = () => `${inject('redisUrl')}/${DB}`;
/** Connection options, not a client: BullMQ then owns the connection and closes it. */
const bullConnection = () => {
  const { hostname, port } = new URL(inject('redisUrl'));
  return { host: hostname, port: Number(port), db: DB };
};

let site: TargetSite;
let forbidden: TargetSite; // loopback, not on the allow-list: must never be reached
let api: ServiceProcess & { url: string };
let worker: ServiceProcess | undefined;
let env: Record<string, string>;
const s3 = new S3Client({
  region: 'eu-west-1',
  endpoint: inject('emulatorUrl'),
  credentials: EMULATOR_CREDENTIALS,
  forcePathStyle: true,
});

type JobView = {
  id: string;
  state: string;
  attempts: number;
  error: string | null;
  result: {
    artifact: { key: string; bytes: number; contentType: string };
    extracted?: { selectors: Record<string, string[]>; links: { text: string; href: string }[] };
    finalUrl: string;
  } | null;
};

async function post(body: unknown, options: { key?: string | null; idempotencyKey?: string } = {}) {
  const key = options.key === undefined ? KEY : options.key;
  const res = await fetch(`${api.url}/api/jobs`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
    },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as JobView & { error: { code: string; message: string; fields?: { path: string }[] } },
  };
}

async function getJob(id: string, key = KEY): Promise<{ status: number; job: JobView }> {
  const res = await fetch(`${api.url}/api/jobs/${id}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, job: (await res.json()) as JobView };
}

const finished = (id: string, timeoutMs = 30_000) =>
  eventually(
    async () => (await getJob(id)).job,
    (j) => j.state === 'completed' || j.state === 'failed',
    timeoutMs,
  );

/** Every job in every queue, whatever its state: what a refused request must not change. */
async function jobCount(): Promise<number> {
  const queues = JOB_KINDS.map((kind) => new Queue(kind, { connection: bullConnection() }));
  try {
    const counts = await Promise.all(queues.map((q) => q.getJobCounts()));
    return counts.reduce((sum, c) => sum + Object.values(c).reduce((a, b) => a + b, 0), 0);
  } finally {
    await Promise.all(queues.map((q) => q.close()));
  }
}

async function artifactBytes(key: string): Promise<Uint8Array> {
  const out = await s3.send(new GetObjectCommand({ Bucket: artifactsBucket('staging'), Key: key }));
  return out.Body!.transformToByteArray();
}

beforeAll(async () => {
  [site, forbidden] = await Promise.all([startTargetSite(), startTargetSite()]);
  env = {
    REDIS_URL: redisUrl(),
    ARTIFACTS_BUCKET: artifactsBucket('staging'),
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL: inject('emulatorUrl'),
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    WORKER_URL_ALLOWLIST: site.host,
    API_KEYS: `test:${KEY},other:${OTHER_KEY},burst:${BURST_KEY},replay:${REPLAY_KEY},fuzz:${FUZZ_KEY},hostile:${HOSTILE_KEY}`,
    RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
    JOB_TIMEOUT_MS: '15000',
    ENVIRONMENT: 'services-test',
    BACKLOG_METRIC_INTERVAL_MS: '500',
    LOG_LEVEL: 'info',
  };
  [api, worker] = await Promise.all([startApi(env), startWorker(env)]);
}, 60_000);

afterAll(async () => {
  await Promise.all([api?.stop(), worker?.stop()]);
  await Promise.all([site?.close(), forbidden?.close()]);
  // Never a secret in a log line.
  for (const line of [...(api?.logs ?? []), ...(worker?.logs ?? [])]) {
    expect(JSON.stringify(line)).not.toContain(KEY);
  }
});

describe('the api service', () => {
  it('answers the ALB health check with Redis and the queues reachable', async () => {
    const res = await fetch(`${api.url}/api/health/`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; queues: Record<string, { waiting: number }> };
    expect(body.status).toBe('ok');
    expect(Object.keys(body.queues).sort()).toEqual(['pdf', 'scrape', 'screenshot']);
  });

  it('refuses a POST without a valid API key with 401', async () => {
    const none = await post({ kind: 'screenshot', input: { url: `${site.url}/` } }, { key: null });
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthorized');
    const wrong = await post({ kind: 'screenshot', input: { url: `${site.url}/` } }, { key: 'not-a-key-at-all-000' });
    expect(wrong.status).toBe(401);
  });

  it('answers a bad body with 400 naming the field', async () => {
    const noUrl = await post({ kind: 'screenshot', input: { fullPage: true } });
    expect(noUrl.status).toBe(400);
    expect(noUrl.body.error.code).toBe('invalid_input');
    expect(noUrl.body.error.fields!.map((f) => f.path)).toContain('body.input.url');

    const ftp = await post({ kind: 'pdf', input: { url: 'ftp://example.org/file' } });
    expect(ftp.status).toBe(400);
    expect(ftp.body.error.message).toMatch(/input\.url/);

    const noSelectors = await post({ kind: 'scrape', input: { url: `${site.url}/`, selectors: [] } });
    expect(noSelectors.status).toBe(400);
    expect(noSelectors.body.error.fields!.map((f) => f.path)).toContain('body.input.selectors');

    const badKind = await post({ kind: 'video', input: { url: `${site.url}/` } });
    expect(badKind.status).toBe(400);
    expect(badKind.body.error.message).toMatch(/kind/);
  });

  it('answers hostile path segments, malformed, nested and oversize bodies with a clean 4xx, never a 5xx or a stack, and creates no job', async () => {
    const stack = /\n\s+at .+:\d+:\d+/;
    const segments = [
      '..%2F..%2Fetc%2Fpasswd',
      '%00',
      'a%00b',
      'x'.repeat(10_000),
      '%ED%A0%80',
      '%ff',
      '%E2%80%AEtxt.exe',
      '__proto__',
      'constructor',
      'screenshot-..%2F..%2F',
      'pdf-%00',
      '%F0%9F%92%A9',
    ];
    for (const segment of segments) {
      for (const path of [`/api/jobs/${segment}`, `/api/jobs/${segment}/events`]) {
        const res = await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${HOSTILE_KEY}` } });
        const text = await res.text();
        expect(
          res.status >= 400 && res.status < 500,
          `${res.status} for ${path.slice(0, 60)}: ${text.slice(0, 200)}`,
        ).toBe(true);
        expect(text).not.toMatch(stack);
      }
    }
    let deep = '{"kind":"pdf","input":';
    for (let i = 0; i < 5_000; i++) deep += '[';
    const bodies: [string, string, string][] = [
      ['malformed JSON', '{"kind": "pdf"', 'application/json'],
      ['empty', '', 'application/json'],
      ['an array', '[{"kind":"pdf"}]', 'application/json'],
      ['null', 'null', 'application/json'],
      ['prototype pollution', '{"__proto__": {"admin": true}, "kind": "pdf", "input": {"url": 7}}', 'application/json'],
      [
        'lone surrogate',
        '{"kind":"scrape","input":{"url":"https://a.test/\\ud800","selectors":["\\udfff"]}}',
        'application/json',
      ],
      ['deep nesting', deep, 'application/json'],
      [
        'oversize',
        JSON.stringify({ kind: 'pdf', input: { url: 'https://example.com/' }, pad: 'x'.repeat(2 * 1024 * 1024) }),
        'application/json',
      ],
      ['not JSON', 'kind=pdf', 'application/x-www-form-urlencoded'],
    ];
    const before = await jobCount();
    for (const [what, body, contentType] of bodies) {
      const res = await fetch(`${api.url}/api/jobs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${HOSTILE_KEY}`, 'content-type': contentType },
        body,
      });
      const text = await res.text();
      expect(res.status >= 400 && res.status < 500, `${what}: ${res.status} ${text.slice(0, 200)}`).toBe(true);
      expect(text, what).not.toMatch(stack);
      expect((JSON.parse(text) as { error: { code: string } }).error.code, what).toMatch(
        /^(invalid_input|url_refused)$/,
      );
      if (what === 'oversize') expect(res.status).toBe(413);
    }
    expect(await jobCount()).toBe(before);
    expect(api.child.exitCode).toBeNull();
  });

  it('answers bodies generated from the job schema and then broken (fast-check) with a 400 (or 413) that says why, never a 5xx or a stack, and creates no job', async () => {
    const before = await jobCount();
    await fc.assert(
      fc.asyncProperty(invalidInput(CreateJobBody), async (body) => {
        const res = await fetch(`${api.url}/api/jobs`, {
          method: 'POST',
          headers: { authorization: `Bearer ${FUZZ_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        const text = await res.text();
        expect([400, 413], `${res.status} for ${JSON.stringify(body).slice(0, 200)}: ${text.slice(0, 300)}`).toContain(
          res.status,
        );
        expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);
        const { error } = JSON.parse(text) as { error: { code: string; message: string } };
        expect(error.message.length).toBeGreaterThan(0);
      }),
      { numRuns: 50 }, // within the key's rate limit of 60 a minute
    );
    expect(await jobCount()).toBe(before);
  });

  it('gives one job for the same idempotency key twice, and 409 for the key with another body', async () => {
    const body = { kind: 'scrape', input: { url: `${site.url}/`, selectors: ['h1'] } };
    const first = await post(body, { idempotencyKey: 'order-42' });
    const second = await post(body, { idempotencyKey: 'order-42' });
    expect(first.status).toBe(202);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);

    const conflict = await post(
      { ...body, input: { ...body.input, selectors: ['h2'] } },
      { idempotencyKey: 'order-42' },
    );
    expect(conflict.status).toBe(409);

    // Another API key's same idempotency key is its own.
    const other = await post(body, { key: OTHER_KEY, idempotencyKey: 'order-42' });
    expect(other.body.id).not.toBe(first.body.id);

    const queue = new Queue('scrape', { connection: bullConnection() });
    try {
      const jobs = await queue.getJobs(['waiting', 'active', 'completed', 'failed']);
      expect(jobs.filter((j) => j.data.owner === 'test' && j.data.input.selectors?.[0] === 'h1')).toHaveLength(1);
    } finally {
      await queue.close();
    }
    expect((await finished(first.body.id)).state).toBe('completed');
  });

  it('answers a repeat whose first answer is kept under the key’s old name (before the keys moved under ph:svc:) with that job', async () => {
    const body = { kind: 'scrape', input: { url: `${site.url}/`, selectors: ['p'] } };
    const first = await post(body, { idempotencyKey: 'order-legacy-1' });
    expect(first.status).toBe(202);
    // As a deploy before the move left it: the record under the old name only.
    const admin = new Redis(redisUrl());
    try {
      const hashed = createHash('sha256').update('order-legacy-1').digest('hex');
      const record = (await admin.get(serviceKeys.idempotency('test', hashed)))!;
      await admin.del(serviceKeys.idempotency('test', hashed));
      await admin.set(legacyServiceKeys.idempotency('test', hashed), record, 'EX', 600);
      const repeat = await post(body, { idempotencyKey: 'order-legacy-1' });
      expect([repeat.status, repeat.body.id]).toEqual([200, first.body.id]);
    } finally {
      admin.disconnect();
    }
  });

  it("does not show one key's job to another key", async () => {
    const created = await post({ kind: 'scrape', input: { url: `${site.url}/`, selectors: ['h1'] } });
    expect((await getJob(created.body.id, OTHER_KEY)).status).toBe(404);
    expect((await getJob(created.body.id)).status).toBe(200);
  });

  it('answers 429 past the per-key rate limit, without touching other keys', async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= RATE_LIMIT; i++) {
      // Refused URLs are counted by the limiter but never enqueued, so this burst renders nothing.
      statuses.push(
        (await post({ kind: 'screenshot', input: { url: 'http://10.1.2.3/' } }, { key: BURST_KEY })).status,
      );
    }
    expect(statuses.slice(0, RATE_LIMIT).every((s) => s === 400)).toBe(true);
    expect(statuses[RATE_LIMIT]).toBe(429);
    const otherKey = await post({ kind: 'screenshot', input: { url: 'http://10.1.2.3/' } }, { key: OTHER_KEY });
    expect(otherKey.status).toBe(400);
  });

  it('answers a repeat of an answered Idempotency-Key with the stored answer, without the rate limit', async () => {
    const body = { kind: 'scrape', input: { url: `${site.url}/`, selectors: ['h1'] } };
    const first = await post(body, { key: REPLAY_KEY, idempotencyKey: 'replay-1' });
    expect(first.status).toBe(202);
    for (let i = 0; i < RATE_LIMIT; i++)
      await post({ kind: 'screenshot', input: { url: 'http://10.1.2.3/' } }, { key: REPLAY_KEY });
    expect((await post({ kind: 'screenshot', input: { url: 'http://10.1.2.3/' } }, { key: REPLAY_KEY })).status).toBe(
      429,
    );

    const repeat = await post(body, { key: REPLAY_KEY, idempotencyKey: 'replay-1' });

    expect(repeat.status).toBe(200);
    expect(repeat.body.id).toBe(first.body.id);
    expect(
      (
        await post(
          { ...body, input: { ...body.input, selectors: ['h2'] } },
          { key: REPLAY_KEY, idempotencyKey: 'replay-1' },
        )
      ).status,
    ).toBe(409);
  });

  it('gives concurrent repeats of one Idempotency-Key one job', async () => {
    const body = { kind: 'scrape', input: { url: `${site.url}/`, selectors: ['li.price'] } };
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(body, { idempotencyKey: 'concurrent-7' })));

    expect(answers.every((a) => a.status === 202 || a.status === 200)).toBe(true);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    const queue = new Queue('scrape', { connection: bullConnection() });
    try {
      const jobs = await queue.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed']);
      expect(jobs.filter((j) => j.data.input.selectors?.[0] === 'li.price')).toHaveLength(1);
    } finally {
      await queue.close();
    }
    expect((await finished(answers[0].body.id)).state).toBe('completed');
  });

  it('recovers a key claimed by a request that crashed before enqueuing: the retry runs the job, never a phantom', async () => {
    const body = { kind: 'scrape', input: { url: `${site.url}/`, selectors: ['a'] } };
    // What a crashed api left behind: the claim, with no job and no answer.
    const idem = new Redis(redisUrl());
    try {
      const jobId = `scrape-${crypto.randomUUID()}`; // claimed, never enqueued
      await idem.set(
        idempotencyRedisKey('test', 'crashed-9'),
        JSON.stringify({ bodyHash: requestBodyHash(body), jobId }),
        'EX',
        600,
      );

      const retry = await post(body, { idempotencyKey: 'crashed-9' });

      expect(retry.body.id).toBe(jobId);
      expect((await finished(jobId)).state).toBe('completed');
    } finally {
      idem.disconnect();
    }
  });
});

describe('jobs end to end: api → Redis → worker → Chromium → S3', () => {
  it('renders a screenshot at the asked viewport into S3', async () => {
    const created = await post({
      kind: 'screenshot',
      input: { url: `${site.url}/`, viewport: { width: 800, height: 600 } },
    });
    expect(created.status).toBe(202);

    const job = await finished(created.body.id);

    expect(job.state).toBe('completed');
    expect(job.result!.artifact).toMatchObject({
      key: `jobs/${created.body.id}/screenshot.png`,
      contentType: 'image/png',
    });
    const png = await artifactBytes(job.result!.artifact.key);
    expect(png.byteLength).toBe(job.result!.artifact.bytes);
    expect(Buffer.from(png.subarray(1, 4)).toString()).toBe('PNG');
    const view = new DataView(png.buffer, png.byteOffset);
    expect([view.getUint32(16), view.getUint32(20)]).toEqual([800, 600]); // IHDR width, height
  });

  it('captures at most the height limit of an endlessly tall page, and says it cut', async () => {
    const created = await post({
      kind: 'screenshot',
      input: { url: `${site.url}/tall?px=40000`, fullPage: true, viewport: { width: 800, height: 600 } },
    });
    const job = await finished(created.body.id);
    expect(job.state).toBe('completed');
    const png = await artifactBytes(job.result!.artifact.key);
    const view = new DataView(png.buffer, png.byteOffset);
    expect([view.getUint32(16), view.getUint32(20)]).toEqual([800, MAX_SCREENSHOT_HEIGHT_PX]); // IHDR width, height
    expect((job.result as { truncated?: string[] }).truncated).toEqual([
      `page taller than ${MAX_SCREENSHOT_HEIGHT_PX} px: captured the top ${MAX_SCREENSHOT_HEIGHT_PX} px`,
    ]);
  });

  it('prints a PDF into S3', async () => {
    const created = await post({ kind: 'pdf', input: { url: `${site.url}/`, format: 'Letter' } });
    const job = await finished(created.body.id);
    expect(job.state).toBe('completed');
    const pdf = await artifactBytes(job.result!.artifact.key);
    expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe('%PDF-');
  });

  it('scrapes the text of each selector and the links', async () => {
    const created = await post({
      kind: 'scrape',
      input: { url: `${site.url}/`, selectors: ['.price', '.headline', '.missing'] },
    });
    const job = await finished(created.body.id);
    expect(job.state).toBe('completed');
    expect(job.result!.extracted!.selectors).toEqual({
      '.price': ['€129', '€149', '€199'],
      '.headline': ['Fares to Lisbon'],
      '.missing': [],
    });
    expect(job.result!.extracted!.links).toEqual([
      { text: 'About us', href: `${site.url}/about` },
      { text: 'Terms', href: 'https://example.org/terms' },
    ]);
    const stored = JSON.parse(Buffer.from(await artifactBytes(job.result!.artifact.key)).toString());
    expect(stored.selectors['.price']).toHaveLength(3);
  });

  it('streams a job over SSE until it ends', async () => {
    const created = await post({ kind: 'scrape', input: { url: `${site.url}/slow?ms=500`, selectors: ['h1'] } });
    const res = await fetch(`${api.url}${`/api/jobs/${created.body.id}/events`}`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const text = await res.text(); // the server ends the stream when the job ends
    const events = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(events[0]).toBe('state');
    expect(events.at(-1)).toBe('completed');
  });
});

describe('queue metrics for the control plane', () => {
  // Per-minute data points appear as minutes roll over; the running total counts at once.
  it('counts completed jobs in BullMQ metrics', async () => {
    const queue = new Queue('scrape', { connection: bullConnection() });
    try {
      const metrics = await queue.getMetrics('completed');
      const completed = await queue.getJobCountByTypes('completed');
      expect(completed).toBeGreaterThan(0);
      expect(metrics.meta.count).toBe(completed);
    } finally {
      await queue.close();
    }
  });
});

describe('evidence of a failed browser job', () => {
  it('keeps, per attempt, the page at failure, a Playwright trace, console errors and failed requests; the control plane lists them with working presigned links', async () => {
    const created = await post({ kind: 'scrape', input: { url: `${site.url}/broken`, selectors: ['div['] } });
    expect(created.status).toBe(202);
    const job = await finished(created.body.id, 60_000);
    expect(job).toMatchObject({ state: 'failed', attempts: 3 });

    const environment = {
      name: 'staging',
      aws: { region: 'eu-west-1' },
      artifacts: { bucket: artifactsBucket('staging') },
    } as Environment;
    const evidence = await listJobEvidence(environment, job.id, s3);
    expect(evidence.map((e) => e.attempt)).toEqual([3, 2, 1]);
    for (const attempt of evidence) {
      expect(attempt.url).toBe(`${site.url}/broken`);
      expect(attempt.error).toMatch(/div\[/);
      expect(attempt.consoleErrors.map((c) => c.text)).toContain(
        'checkout widget failed: TypeError: cart is undefined',
      );
      expect(attempt.failedRequests).toContainEqual({
        method: 'GET',
        url: `${site.url}/missing.png`,
        status: 404,
        failure: null,
      });
    }
    const [latest] = evidence;
    const png = new Uint8Array(await (await fetch(latest.screenshotUrl!)).arrayBuffer());
    expect([...png.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]); // PNG
    const trace = await fetch(latest.traceUrl!);
    expect(trace.headers.get('content-disposition')).toBe(`attachment; filename="trace-${job.id}-attempt-3.zip"`);
    const zip = Buffer.from(await trace.arrayBuffer());
    expect(zip.subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004'); // a zip, with Playwright's trace files in it
    expect(zip.includes('trace.trace')).toBe(true);
    expect(zip.includes('trace.network')).toBe(true);
  }, 90_000);
});

describe('the worker’s backlog metric', () => {
  it('publishes Pilothouse/QueueBacklog for its environment, which the worker service scales on, and for each queue', async () => {
    const cloudwatch = new CloudWatchClient({
      region: 'eu-west-1',
      endpoint: inject('emulatorUrl'),
      credentials: EMULATOR_CREDENTIALS,
    });
    const environment = { Name: 'Environment', Value: 'services-test' };
    const queries = [
      // The environment's (what the worker service scales on), the longest wait beside it (the timeline draws it),
      { id: 'backlog', metric: 'QueueBacklog', dimensions: [environment] },
      { id: 'oldest', metric: 'QueueOldestWaitingSeconds', dimensions: [environment] },
      // and each queue's own (the queue page's depth over time).
      ...['screenshot', 'pdf', 'scrape'].map((queue) => ({
        id: `queue_${queue}`,
        metric: 'QueueBacklog',
        dimensions: [environment, { Name: 'Queue', Value: queue }],
      })),
    ];
    // Read as the control plane reads them: GetMetricData by exact dimensions (the emulator's
    // ListMetrics lists a metric once per datapoint, so the seeded history fills its pages).
    const published = async () => {
      const now = Date.now();
      const { MetricDataResults } = await cloudwatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(now - 10 * 60_000),
          EndTime: new Date(now + 60_000),
          MetricDataQueries: queries.map((q) => ({
            Id: q.id,
            MetricStat: {
              Metric: { Namespace: 'Pilothouse', MetricName: q.metric, Dimensions: q.dimensions },
              Period: 60,
              Stat: 'Maximum',
            },
          })),
        }),
      );
      return queries
        .filter((q) => (MetricDataResults?.find((r) => r.Id === q.id)?.Values?.length ?? 0) > 0)
        .map((q) => q.id);
    };
    expect(await eventually(published, (ids) => ids.length === queries.length)).toEqual(queries.map((q) => q.id));
  });
});

describe('SSRF: the worker never fetches private, loopback or link-local addresses', () => {
  const refusedAtApi = [
    ['loopback', () => `${forbidden.url}/`],
    ['a private 10.x address', () => 'http://10.0.0.1/'],
    ['the metadata endpoint', () => 'http://169.254.169.254/latest/meta-data/'],
    ['a hostname that resolves to loopback', () => `http://localhost:${forbidden.url.split(':')[2]}/`],
    ['a decimal-encoded loopback address', () => `http://2130706433:${forbidden.url.split(':')[2]}/`],
  ] as const;
  for (const [what, url] of refusedAtApi) {
    it(`refuses ${what} with a clear 400`, async () => {
      const hits = forbidden.hits();
      const res = await post({ kind: 'screenshot', input: { url: url() } });
      expect(forbidden.hits(), 'requests that reached the forbidden server').toBe(hits);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'url_refused',
        message: expect.stringMatching(/refusing to fetch/),
      });
    });
  }

  it('never tells the caller what a hostname resolved to (no mapping of internal DNS through the api)', async () => {
    const res = await post({ kind: 'screenshot', input: { url: `http://localhost:${forbidden.url.split(':')[2]}/` } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      'input.url: localhost does not resolve to a public address; refusing to fetch it',
    );
    expect(JSON.stringify(res.body)).not.toMatch(/127\.0\.0\.1|::1/);
  });

  for (const [what, target] of [
    ['loopback', () => `${forbidden.url}/`],
    ['the metadata endpoint', () => 'http://169.254.169.254/latest/meta-data/'],
  ] as const) {
    it(`fails a job whose page redirects to ${what}, without retrying`, async () => {
      const hits = forbidden.hits();
      const created = await post({
        kind: 'screenshot',
        input: { url: `${site.url}/redirect?to=${encodeURIComponent(target())}` },
      });
      const job = await finished(created.body.id);
      expect(job.state).toBe('failed');
      expect(job.error).toMatch(/^url refused: .* refusing to fetch it$/);
      expect(job.attempts).toBe(1);
      expect(forbidden.hits(), 'requests that reached the forbidden server').toBe(hits);
    });
  }

  it('refuses in the worker too, for a job that reached the queue without the api', async () => {
    const queue = new Queue('pdf', { connection: bullConnection() });
    const hits = forbidden.hits();
    try {
      const id = `pdf-${crypto.randomUUID()}`;
      await queue.add(
        'pdf',
        { kind: 'pdf', input: { url: `${forbidden.url}/` }, owner: 'test', createdAt: new Date().toISOString() },
        { jobId: id, attempts: 3 },
      );
      const job = await finished(id);
      expect(job.state).toBe('failed');
      expect(job.error, JSON.stringify(job)).toMatch(/url refused: 127\.0\.0\.1 is a loopback address/);
      expect(job.attempts).toBe(1);
      expect(forbidden.hits(), 'requests that reached the forbidden server').toBe(hits);
    } finally {
      await queue.close();
    }
  });

  // Each test above holds the forbidden server's count still; this one shows the count moves
  // when a request does reach it (so an unchanged count is a measurement, whichever test runs alone).
  it('positive control: a request that does reach the forbidden server is counted', async () => {
    const hits = forbidden.hits();
    await fetch(`${forbidden.url}/`);
    expect(forbidden.hits()).toBe(hits + 1);
  });
});

describe('the worker process under failure', () => {
  it('on SIGTERM mid-render finishes the running job, takes no new one, then exits 0', async () => {
    const slowHits = site.hits('/slow');
    const created = await post({ kind: 'scrape', input: { url: `${site.url}/slow?ms=1500`, selectors: ['h1'] } });
    // Provably mid-render: Chromium's request for the page has reached the site, whose answer is held 1.5 s.
    await eventually(
      async () => site.hits('/slow'),
      (n) => n > slowHits,
    );

    process.kill(worker!.pid, 'SIGTERM');
    await worker!.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('stopping'));
    const after = await post({ kind: 'scrape', input: { url: `${site.url}/`, selectors: ['h1'] } });

    expect(await worker!.exited).toBe(0);
    expect((await getJob(created.body.id)).job).toMatchObject({ state: 'completed', attempts: 1 });
    expect((await getJob(after.body.id)).job).toMatchObject({ state: 'waiting', attempts: 0 });
    const queue = new Queue('scrape', { connection: bullConnection() });
    try {
      await queue.remove(after.body.id); // not for the next test's worker
    } finally {
      await queue.close();
    }
  });

  it('on SIGTERM past the grace period hands the job back, and another worker completes it once', async () => {
    await worker?.stop(); // only the hurried worker may take this job
    const hurried = await startWorker({ ...env, STOP_GRACE_MS: '200' });
    const events = new QueueEvents('scrape', { connection: bullConnection() });
    await events.waitUntilReady();
    const completions: string[] = [];
    events.on('completed', ({ jobId }) => completions.push(jobId));
    try {
      const slowHits = site.hits('/slow');
      const created = await post({ kind: 'scrape', input: { url: `${site.url}/slow?ms=3000`, selectors: ['h1'] } });
      await eventually(
        async () => site.hits('/slow'),
        (n) => n > slowHits,
      ); // mid-render, not merely taken

      process.kill(hurried.pid, 'SIGTERM');
      expect(await hurried.exited).toBe(0);

      const handedBack = (await getJob(created.body.id)).job;
      if (handedBack.state !== 'waiting') console.log(hurried.logs.map((l) => JSON.stringify(l)).join('\n'));
      expect(handedBack).toMatchObject({ state: 'waiting', attempts: 0, error: null });
      expect(hurried.logs.some((l) => l.msg === 'job handed back to the queue at shutdown')).toBe(true);

      worker = await startWorker(env);
      const done = await finished(created.body.id);
      expect(done.state).toBe('completed');
      await eventually(
        async () => completions,
        (c) => c.includes(created.body.id),
      );
      await new Promise((r) => setTimeout(r, 300));
      expect(completions.filter((id) => id === created.body.id)).toHaveLength(1);
    } finally {
      await events.close();
      await hurried.stop();
      // The tests after this one need a running worker, whatever happened here.
      if (!worker || worker.child.exitCode !== null || worker.child.signalCode !== null)
        worker = await startWorker(env);
    }
  });

  it('replaces a killed Chromium and retries the job it was running', async () => {
    const launched = await worker!.waitForLog((l) => l.msg === 'chromium launched');
    const slowHits = site.hits('/slow');
    const created = await post({ kind: 'screenshot', input: { url: `${site.url}/slow?ms=2000` } });
    await eventually(
      async () => (await getJob(created.body.id)).job,
      (j) => j.state === 'active',
    );
    await eventually(
      async () => site.hits('/slow'),
      (n) => n > slowHits,
    ); // mid-render

    process.kill(launched.pid as number, 'SIGKILL');

    const job = await finished(created.body.id, 45_000);
    expect(job.state).toBe('completed');
    expect(job.attempts).toBe(2);
    const relaunches = worker!.logs.filter((l) => l.msg === 'chromium launched');
    expect(relaunches).toHaveLength(2);
    expect(relaunches[1].pid).not.toBe(launched.pid);
  });

  it('replaces a Chromium that stops answering (SIGSTOP) instead of waiting on it, and still completes the job', async () => {
    const launches = () => worker!.logs.filter((l) => l.msg === 'chromium launched');
    const before = launches().length;
    const stuck = launches().at(-1)!.pid as number;
    const slowHits = site.hits('/slow');
    const created = await post({ kind: 'screenshot', input: { url: `${site.url}/slow?ms=2000` } });
    await eventually(
      async () => site.hits('/slow'),
      (n) => n > slowHits,
    ); // mid-render
    process.kill(stuck, 'SIGSTOP'); // wedged: alive, answering nothing
    try {
      const job = await finished(created.body.id, 80_000);
      expect(job.state).toBe('completed');
      expect(worker!.logs.some((l) => l.msg === 'chromium not answering; replacing it')).toBe(true);
      expect(launches().length).toBeGreaterThan(before);
      expect(launches().at(-1)!.pid).not.toBe(stuck);
    } finally {
      try {
        process.kill(stuck, 'SIGKILL');
      } catch {
        /* already reaped */
      }
    }
  }, 90_000);
});
