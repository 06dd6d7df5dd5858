/**
 * Bad input against every control-plane route, as a signed-in operator (past the auth checks, so
 * the input itself is what is judged): hostile path segments, query strings and bodies. Every
 * answer is a clean 4xx, never a 500 and never a stack trace; a refused action is audited and
 * changes nothing. (The api service's own routes: tests/integration/services.test.ts.)
 */
import { keys } from '@/contracts/keys';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { expect, test } from '@playwright/test';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { readFileSync } from 'node:fs';
import { EMULATOR_CREDENTIALS, SEEDED } from '../../scripts/platform';
import { DeployBody, JobActionBody, QueueActionBody, ServiceActionBody } from '../../model/schemas/actions';
import { invalidInput } from '../support/schema-arbitrary';
import { authState } from './global-setup';

const baseURL = () => process.env.PILOTHOUSE_E2E_URL!;
const cookie = () =>
  (JSON.parse(readFileSync(authState('operator'), 'utf8')) as { cookies: { name: string; value: string }[] }).cookies
    .map((c) => `${c.name}=${c.value}`)
    .join('; ');

/** Path segments an attacker or a broken client sends: traversal, NUL, very long, invalid UTF-8, lone surrogate, RTL override, prototype keys. */
// (Not `%2e%2e`: the URL standard makes it `..` in the client, which then asks for the parent page.)
const SEGMENTS = [
  '..%2F..%2Fetc%2Fpasswd',
  '%00',
  'a%00b',
  'x'.repeat(10_000),
  '%ED%A0%80',
  '%ff',
  '%E2%80%AEtxt.exe',
  '__proto__',
  'constructor',
  '%F0%9F%92%A9',
  '%252e%252e',
];

/** Route templates with a `{x}` in each position a segment can take. */
const ROUTES: { method: 'GET' | 'POST'; path: string }[] = [
  { method: 'GET', path: '/environments/{x}' },
  { method: 'GET', path: '/environments/staging/services/{x}' },
  { method: 'GET', path: '/environments/staging/queues/{x}' },
  { method: 'GET', path: '/environments/staging/queues/pdf/jobs/{x}' },
  { method: 'GET', path: '/environments/{x}/timeline' },
  { method: 'GET', path: '/api/environments/{x}/live' },
  { method: 'GET', path: '/api/environments/{x}/jobs/search?q=pdf-1' },
  { method: 'GET', path: '/api/environments/{x}/deploys/preview?ref=main' },
  { method: 'POST', path: '/api/environments/{x}/deploys' },
  { method: 'POST', path: '/api/environments/staging/services/{x}' },
  { method: 'POST', path: '/api/environments/staging/queues/{x}' },
  { method: 'POST', path: '/api/environments/staging/queues/pdf/jobs/{x}' },
];

async function call(method: 'GET' | 'POST', path: string, body?: string, headers: Record<string, string> = {}) {
  const abort = new AbortController();
  const response = await fetch(`${baseURL()}${path}`, {
    method,
    redirect: 'manual',
    signal: abort.signal,
    headers: {
      cookie: cookie(),
      ...(method === 'POST'
        ? {
            origin: baseURL(),
            'content-type': 'application/json',
            'idempotency-key': `bad-${Date.now()}-${Math.random().toString(36).slice(2)}`,
          }
        : {}),
      ...headers,
    },
    body,
  });
  const text = response.headers.get('content-type')?.includes('text/event-stream') ? '' : await response.text();
  abort.abort();
  return { status: response.status, text };
}

function clean(what: string, answer: { status: number; text: string }) {
  // The session is a signed-in operator of both environments (the positive control below shows it
  // can act): a 401 or 403 would mean the auth checks answered, and the input was never judged.
  expect([401, 403], `${what}: answered by the auth checks, not the input's`).not.toContain(answer.status);
  expect(answer.status, what).toBeGreaterThanOrEqual(400);
  expect(answer.status, what).toBeLessThan(500);
  expect(answer.text, what).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
  expect(answer.text, what).not.toMatch(/Internal Server Error/);
}

test('positive control: the operator session this file uses is past the auth checks, and can act', async () => {
  const page = await call('GET', '/environments/staging');
  expect(page.status).toBe(200);
  // A queue action that changes nothing once done: resume a running queue.
  const acted = await call('POST', '/api/environments/staging/queues/pdf', '{"action":"resume"}');
  expect(acted.status, acted.text).toBe(200);
});

test('hostile path segments in every position answer a clean 4xx: 404 for names that do not exist, never a 500', async () => {
  test.setTimeout(120_000);
  for (const route of ROUTES) {
    for (const segment of SEGMENTS) {
      const path = route.path.replace('{x}', segment);
      const answer = await call(route.method, path, route.method === 'POST' ? '{"action":"redeploy"}' : undefined);
      clean(`${route.method} ${path.slice(0, 120)}`, answer);
    }
  }
});

test('hostile query strings and bodies answer 400 (or 413 past the size limit), change nothing, and a refused action is audited', async () => {
  const ecs = new ECSClient({
    region: SEEDED.staging.region,
    endpoint: process.env.PILOTHOUSE_E2E_EMULATOR_URL,
    credentials: EMULATOR_CREDENTIALS,
  });
  const registry = JSON.parse(readFileSync(process.env.PILOTHOUSE_E2E_REGISTRY_FILE!, 'utf8')) as {
    environments: { name: string; ecs: { cluster: string; services: Record<string, string> } }[];
  };
  const staging = registry.environments.find((e) => e.name === 'staging')!;
  const deployments = async () =>
    (
      await ecs.send(
        new DescribeServicesCommand({ cluster: staging.ecs.cluster, services: [staging.ecs.services.api] }),
      )
    )
      .services![0].deployments!.map((d) => d.id)
      .sort();
  const before = await deployments();
  const audit = new Redis(process.env.PILOTHOUSE_E2E_REDIS_URL!);
  // This test's own audit records: those after the newest one now.
  const [[since] = ['0-0']] = await audit.xrevrange(keys.audit, '+', '-', 'COUNT', 1);

  for (const q of ['', 'x'.repeat(3_000), 'a%00b']) {
    const answer = await call('GET', `/api/environments/staging/jobs/search?q=${q}`);
    clean(`search q=${q.slice(0, 20)}`, answer);
    expect(answer.status).toBe(400);
  }
  // Invalid UTF-8 decodes to U+FFFD (URL standard): a search that finds nothing, not an error.
  const replaced = await call('GET', '/api/environments/staging/jobs/search?q=%ED%A0%80');
  expect([replaced.status, JSON.parse(replaced.text)]).toEqual([200, { jobs: [] }]);
  for (const ref of ['', '-rf', 'a..b', 'x'.repeat(300), 'main%00', '%E2%80%AEmain']) {
    clean(`preview ref=${ref.slice(0, 20)}`, await call('GET', `/api/environments/staging/deploys/preview?ref=${ref}`));
  }

  let deep = '{"action":"redeploy","x":';
  for (let i = 0; i < 5_000; i++) deep += '[';
  const bodies: [string, string, number][] = [
    ['malformed JSON', '{"action": "redeploy"', 400],
    ['empty body', '', 400],
    ['wrong types', '{"action": 42}', 400],
    ['an array', '[{"action":"redeploy"}]', 400],
    ['null', 'null', 400],
    ['prototype pollution', '{"__proto__": {"admin": true}, "action": "redeploy"}', 400],
    ['constructor pollution', '{"constructor": {"prototype": {"admin": true}}, "action": "redeploy"}', 400],
    ['unknown action', '{"action": "destroy"}', 400],
    ['lone surrogate', '{"action": "rollback", "revision": 1, "reason": "\\ud800"}', 400],
    ['deep nesting', deep, 400],
    ['oversize', JSON.stringify({ action: 'scale', desiredCount: 1, pad: 'x'.repeat(20_000) }), 413],
  ];
  for (const [what, body, status] of bodies) {
    const answer = await call('POST', '/api/environments/staging/services/api', body);
    clean(what, answer);
    expect(answer.status, what).toBe(status);
    expect((JSON.parse(answer.text) as { error: { code: string } }).error.code, what).toBe(
      status === 413 ? 'too_large' : 'invalid_input',
    );
  }
  expect(await deployments(), 'no refused request deployed anything').toEqual(before);
  // Each refusal is in the audit, with its status: exactly one record per refused body.
  try {
    const records = (await audit.xrange(keys.audit, `(${since}`, '+')).map(
      ([, fields]) =>
        JSON.parse(fields[1]) as { user: string; environment: string; target: string; result: string; status: number },
    );
    const refused = records.filter(
      (r) => r.user === 'olivia-ops' && r.environment === 'staging' && r.target === 'api' && r.result === 'refused',
    );
    expect(refused.filter((r) => r.status === 400)).toHaveLength(
      bodies.filter(([, , status]) => status === 400).length,
    );
    expect(refused.filter((r) => r.status === 413)).toHaveLength(1);
  } finally {
    audit.disconnect();
  }

  // Still serving normally afterwards (no polluted prototype, no wedged process).
  const fine = await call('GET', '/api/environments/staging/jobs/search?q=pdf-none');
  expect(fine.status).toBe(200);
  expect(JSON.parse(fine.text)).toEqual({ jobs: [] });
});

test("bodies generated from each action's schema and then broken (fast-check): always 400 or 413, never a 500 or a stack, and no action starts", async () => {
  test.setTimeout(240_000);
  const audit = new Redis(process.env.PILOTHOUSE_E2E_REDIS_URL!);
  try {
    const [[since] = ['0-0']] = await audit.xrevrange(keys.audit, '+', '-', 'COUNT', 1);
    const routes = [
      { path: '/api/environments/staging/services/api', schema: ServiceActionBody },
      { path: '/api/environments/staging/deploys', schema: DeployBody },
      { path: '/api/environments/staging/queues/pdf', schema: QueueActionBody },
      { path: '/api/environments/staging/queues/pdf/jobs/pdf-property', schema: JobActionBody },
    ];
    let sent = 0;
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(invalidInput(route.schema), async (body) => {
          sent++;
          const answer = await call('POST', route.path, JSON.stringify(body));
          clean(`${route.path} ${JSON.stringify(body).slice(0, 200)}`, answer);
          expect([400, 413], JSON.stringify(body).slice(0, 200)).toContain(answer.status);
          const { error } = JSON.parse(answer.text) as { error: { code: string; message: string } };
          expect(error.code).toBe(answer.status === 413 ? 'too_large' : 'invalid_input');
          expect(error.message.length).toBeGreaterThan(0);
        }),
        { numRuns: 60 },
      );
    }
    // Every action records its start before it runs: none did.
    const after = await audit.xrange(keys.audit, `(${since}`, '+');
    const started = after
      .map(([, fields]) => JSON.parse(fields[1]) as { result: string; action: string })
      .filter((r) => r.result === 'started');
    expect(started, `${sent} bodies sent`).toEqual([]);
  } finally {
    audit.disconnect();
  }
});
