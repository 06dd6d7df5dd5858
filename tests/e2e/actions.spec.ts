/**
 * The operator actions through the running control plane, signed in through the OAuth flow:
 * each action's effect upstream (the emulator's ECS, the GitHub stand-in, BullMQ on Redis),
 * its audit record, its idempotent repeat, the 409 for a concurrent change, and a clean 400
 * for bad input. Its own platform and control plane: the other specs read the seeded numbers.
 */
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { expect, test } from '@playwright/test';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  controlEmulator,
  EMULATOR_CREDENTIALS,
  type RunningServer,
  SEEDED,
  LOCAL_USERS,
  startControlPlane,
  startSeededPlatform,
  type SeededPlatform,
  signInWithStandin,
} from '../../scripts/platform';
import { auditRecordOf } from '../support/audit';

let platform: SeededPlatform;
let controlPlane: RunningServer;
let stateDir: string;
let audit: Redis;
const cookies: Record<string, string> = {};

test.beforeAll(async () => {
  test.setTimeout(120_000);
  stateDir = mkdtempSync(path.join(tmpdir(), 'pilothouse-actions-'));
  platform = await startSeededPlatform({ stateDir, step: () => () => {} });
  controlPlane = await startControlPlane(platform, { step: () => () => {} });
  for (const who of ['operator', 'viewer', 'stagingOperator'] as const)
    cookies[who] = await signInWithStandin(controlPlane.url, LOCAL_USERS[who].login);
  audit = new Redis(platform.redis.url);
});
test.afterAll(async () => {
  audit?.disconnect();
  await controlPlane?.stop();
  await platform?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

type Answer = {
  status: number;
  body: Record<string, unknown> & { error?: { code: string; message: string } };
  replayed: boolean;
};
let keys = 0;
async function act(
  path: string,
  body: unknown,
  options: { as?: keyof typeof cookies; key?: string; origin?: string } = {},
): Promise<Answer> {
  const response = await fetch(`${controlPlane.url}${path}`, {
    method: 'POST',
    headers: {
      cookie: cookies[options.as ?? 'operator'],
      origin: options.origin ?? controlPlane.url,
      'content-type': 'application/json',
      'idempotency-key': options.key ?? `test-${Date.now()}-${++keys}`,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as Answer['body'],
    replayed: response.headers.get('idempotent-replayed') === 'true',
  };
}

function ecs(env: 'staging' | 'production') {
  return new ECSClient({
    region: SEEDED[env].region,
    endpoint: platform.emulator.url,
    credentials: EMULATOR_CREDENTIALS,
  });
}
async function service(env: 'staging' | 'production', role: 'api' | 'worker') {
  const entry = platform.registry.environments.find((e) => e.name === env)!;
  const { services } = await ecs(env).send(
    new DescribeServicesCommand({ cluster: entry.ecs.cluster, services: [entry.ecs.services[role]] }),
  );
  return services![0];
}
async function settled() {
  const { settled } = await controlEmulator<{ settled: boolean }>(platform.emulator.url, 'ecs/settle');
  expect(settled).toBe(true);
}
const auditFor = (requestId: unknown) => auditRecordOf(audit, requestId, 200);

test('redeploy: a new ECS deployment, audited; the same key again returns the first answer and deploys nothing more', async () => {
  const before = await service('staging', 'api');
  const key = `redeploy-${Date.now()}`;
  const first = await act('/api/environments/staging/services/api', { action: 'redeploy' }, { key });
  expect(first.status, JSON.stringify(first.body)).toBe(200);
  const after = await service('staging', 'api');
  const primary = after.deployments!.find((d) => d.status === 'PRIMARY')!;
  expect(first.body.deploymentId).toBe(primary.id);
  expect(primary.id).not.toBe(before.deployments!.find((d) => d.status === 'PRIMARY')!.id);
  expect(await auditFor(first.body.requestId)).toMatchObject({
    user: LOCAL_USERS.operator.login,
    role: 'operator',
    action: 'redeploy',
    environment: 'staging',
    target: 'api',
    result: 'ok',
    status: 200,
  });

  const again = await act('/api/environments/staging/services/api', { action: 'redeploy' }, { key });
  expect(again).toMatchObject({ status: 200, replayed: true });
  expect(again.body.deploymentId).toBe(first.body.deploymentId);
  expect(
    (await service('staging', 'api')).deployments!.filter((d) => d.id !== primary.id && d.status === 'PRIMARY'),
  ).toEqual([]);
  const otherBody = await act('/api/environments/staging/services/worker', { action: 'redeploy' }, { key });
  expect(otherBody.status).toBe(409);
  expect(otherBody.body.error!.message).toContain('used for a different request');
  await settled();
});

test('one change of a service at a time: two redeploys at once, one runs and the other answers 409 with who', async () => {
  await controlEmulator(platform.emulator.url, 'settings', { taskStepSeconds: 30 }); // the rollout stays in flight
  try {
    const [a, b] = await Promise.all([
      act('/api/environments/staging/services/worker', { action: 'redeploy' }),
      act('/api/environments/staging/services/worker', { action: 'redeploy' }, { as: 'stagingOperator' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const refused = a.status === 409 ? a : b;
    expect(refused.body.error!.message).toMatch(
      /redeploy of worker by (olivia-ops|sam-staging) .*(has just started|is still in flight)/,
    );
    // While it rolls out, a rollback of the same service waits its turn too.
    const later = await act('/api/environments/staging/services/worker', {
      action: 'rollback',
      revision: 1,
      reason: 'testing the lock',
    });
    expect(later.status).toBe(409);
    expect(later.body.error!.message).toContain('rolling out');
  } finally {
    await controlEmulator(platform.emulator.url, 'settings', { taskStepSeconds: 1 });
  }
  await settled();
});

test('scale: bad counts answer 400 and change nothing; outside the scaling bounds says the bounds; a good count is applied', async () => {
  for (const bad of [-1, 1.5, '3', 1e9, null]) {
    const answer = await act('/api/environments/staging/services/api', { action: 'scale', desiredCount: bad });
    expect(answer.status, String(bad)).toBe(400);
    expect(answer.body.error!.code).toBe('invalid_input');
  }
  const [min, max] = SEEDED.staging.bounds.api;
  const above = await act('/api/environments/staging/services/api', { action: 'scale', desiredCount: max + 1 });
  expect(above.status).toBe(400);
  expect(above.body.error!.message).toContain(`bounds ${min}–${max}`);
  expect((await service('staging', 'api')).desiredCount).toBe(SEEDED.staging.desired.api);

  const key = `scale-${Date.now()}`;
  const ok = await act('/api/environments/staging/services/api', { action: 'scale', desiredCount: max }, { key });
  expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  expect((await service('staging', 'api')).desiredCount).toBe(max);
  expect(await auditFor(ok.body.requestId)).toMatchObject({
    user: LOCAL_USERS.operator.login,
    action: 'scale',
    target: 'api',
    params: { desiredCount: max },
    result: 'ok',
    status: 200,
  });
  expect(
    (await act('/api/environments/staging/services/api', { action: 'scale', desiredCount: SEEDED.staging.desired.api }))
      .status,
  ).toBe(200);
  // The first request again (a double click arriving late): its answer, and no second scale to max.
  expect(
    await act('/api/environments/staging/services/api', { action: 'scale', desiredCount: max }, { key }),
  ).toMatchObject({ status: 200, replayed: true });
  expect((await service('staging', 'api')).desiredCount).toBe(SEEDED.staging.desired.api);
  await settled();
});

test('rollback: to a chosen earlier revision with a reason; an unknown revision or no reason answers 400', async () => {
  const current = (await service('staging', 'api')).taskDefinition!;
  const revision = Number(current.split(':').pop());
  expect(
    (await act('/api/environments/staging/services/api', { action: 'rollback', revision: revision - 1 })).status,
  ).toBe(400); // no reason
  const unknown = await act('/api/environments/staging/services/api', {
    action: 'rollback',
    revision: 999,
    reason: 'bad deploy',
  });
  expect(unknown.status).toBe(400);
  expect(unknown.body.error!.message).toContain('not one of');

  const key = `rollback-${Date.now()}`;
  const body = { action: 'rollback', revision: revision - 1, reason: 'the last deploy broke checkout' };
  const back = await act('/api/environments/staging/services/api', body, { key });
  expect(back.status, JSON.stringify(back.body)).toBe(200);
  const rolledBack = await service('staging', 'api');
  expect(rolledBack.taskDefinition).toMatch(new RegExp(`:${revision - 1}$`));
  expect(await auditFor(back.body.requestId)).toMatchObject({
    action: 'rollback',
    params: { revision: revision - 1, reason: 'the last deploy broke checkout' },
    result: 'ok',
    status: 200,
  });
  // The same key again: the first answer, and no second deployment.
  const again = await act('/api/environments/staging/services/api', body, { key });
  expect(again).toMatchObject({ status: 200, replayed: true });
  expect(again.body.deploymentId).toBe(back.body.deploymentId);
  expect((await service('staging', 'api')).deployments!.map((d) => d.id)).toEqual(
    rolledBack.deployments!.map((d) => d.id),
  );
  await settled();
});

test('a rollback to a revision whose tasks fail: the service page shows each stopped task’s reason and exit code, and which failures tripped the breaker', async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const current = (await service('staging', 'worker')).taskDefinition!;
  const revision = Number(current.split(':').pop()) - 1;
  const failingArn = current.replace(/:\d+$/, `:${revision}`);
  await controlEmulator(platform.emulator.url, 'ecs/failing-task-definition', {
    taskDefinitionArn: failingArn,
    exitCode: 137,
    reason: 'OutOfMemoryError: Container killed due to memory usage',
  });
  try {
    const answer = await act('/api/environments/staging/services/worker', {
      action: 'rollback',
      revision,
      reason: 'try the previous build',
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const failedDeployment = answer.body.deploymentId as string;
    await settled(); // the circuit breaker fails it and ECS rolls back to the running revision
    expect((await service('staging', 'worker')).taskDefinition).toBe(current);

    const context = await browser.newContext({ baseURL: controlPlane.url });
    await context.addCookies(
      cookies.operator.split('; ').map((pair) => {
        const [name, ...value] = pair.split('=');
        return { name, value: value.join('='), url: controlPlane.url };
      }),
    );
    const page = await context.newPage();
    await page.goto('/environments/staging/services/worker');
    const panel = page.getByTestId('panel-stopped-tasks');
    const failed = panel.locator('tr[data-failed="true"]');
    await expect(failed.first()).toBeVisible();
    await expect(failed).toHaveCount(3); // ECS's threshold for a small service: 3 failed tasks
    await expect(failed.first().getByTestId('stopped-reason')).toHaveText('Essential container in task exited');
    await expect(failed.first().getByTestId('container-outcome')).toHaveText(
      'worker exited 137: OutOfMemoryError: Container killed due to memory usage',
    );
    await expect(panel.locator(`[data-failed-deployment="${failedDeployment}"]`)).toContainText(
      '3× Essential container in task exited',
    );
    await expect(panel.locator(`[data-failed-deployment="${failedDeployment}"]`)).toContainText(`:${revision}`);
    await context.close();
  } finally {
    await controlEmulator(platform.emulator.url, 'ecs/failing-task-definition', {
      taskDefinitionArn: failingArn,
      failing: false,
    });
  }
});

test('deploy: dispatches the workflow with exactly its inputs and returns the run; bad refs and an unknown image answer 400', async () => {
  const dispatched = platform.github.dispatches.length;
  const key = `deploy-${Date.now()}`;
  const ok = await act('/api/environments/staging/deploys', { ref: 'main' }, { key });
  expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  expect(typeof ok.body.runId).toBe('number');
  expect(platform.github.dispatches.slice(dispatched)).toEqual([
    { ref: 'main', inputs: { environment: 'staging', ref: 'main' }, returnRunDetails: true },
  ]);
  expect(await auditFor(ok.body.requestId)).toMatchObject({
    action: 'deploy',
    environment: 'staging',
    target: 'deploy',
    params: { ref: 'main' },
    result: 'ok',
    status: 200,
  });
  // The same key again: the first run, and GitHub is not asked again.
  const again = await act('/api/environments/staging/deploys', { ref: 'main' }, { key });
  expect(again).toMatchObject({ status: 200, replayed: true });
  expect(again.body.runId).toBe(ok.body.runId);
  // The deploy will change every service: a redeploy now waits its turn, and says whose deploy it waits for.
  const redeploy = await act('/api/environments/staging/services/worker', { action: 'redeploy' });
  expect(redeploy.status).toBe(409);
  expect(redeploy.body.error!.message).toMatch(
    /deploy by olivia-ops .* (has just started|is still in flight)|deploy run #\d+/,
  );
  for (const ref of ['feature branch', 'a..b', '-rf']) {
    const answer = await act('/api/environments/staging/deploys', { ref });
    expect(answer.status, ref).toBe(400);
  }
  const unknown = await act(
    '/api/environments/staging/deploys',
    { ref: 'main', imageTag: 'not-a-real-tag' },
    { key: `deploy-tag-${Date.now()}` },
  );
  expect(unknown.status).toBe(400);
  expect(unknown.body.error!.message).toContain('no image tagged not-a-real-tag');
  expect(platform.github.dispatches.length).toBe(dispatched + 1);
  expect(platform.github.violations).toEqual([]);
});

test('deploy with GitHub failing (500, 502, a secondary rate limit, no answer): a clear error, audited, never a success; the same key again sends nothing', async () => {
  test.setTimeout(90_000);
  // The staging deploy the test before started may still run: it does not hold production back.
  const faults = [
    { kind: 'server-error', status: 502, message: /GitHub workflow dispatch failed \(500\)/ },
    { kind: 'bad-gateway', status: 502, message: /GitHub workflow dispatch failed \(502\)/ },
    {
      kind: 'secondary-rate-limit',
      status: 502,
      message: /\(403\): You have exceeded a secondary rate limit.*retry after 60 s/,
    },
    { kind: 'hang', status: 504, message: /no answer within 6000 ms/ },
  ] as const;
  for (const fault of faults) {
    const runs = platform.github.runCount();
    const served = platform.github.faultsServed().length;
    platform.github.failNextDispatch(fault.kind);
    const key = `deploy-fault-${fault.kind}-${Date.now()}`;
    const first = await act('/api/environments/production/deploys', { ref: 'main' }, { key });
    expect(first.status, `${fault.kind}: ${JSON.stringify(first.body)}`).toBe(fault.status);
    expect(first.body.error!.message, fault.kind).toMatch(fault.message);
    expect(first.body).not.toHaveProperty('runId');
    expect(await auditFor(first.body.requestId)).toMatchObject({
      action: 'deploy',
      result: 'failed',
      status: fault.status,
    });
    // The same request again: the first answer, and GitHub is not asked a second time.
    const again = await act('/api/environments/production/deploys', { ref: 'main' }, { key });
    expect(again).toMatchObject({ status: fault.status, replayed: true });
    expect(platform.github.faultsServed().length, fault.kind).toBe(served + 1);
    expect(platform.github.runCount(), fault.kind).toBe(runs);
  }
  // GitHub is back: a new key deploys (the failed attempts left no lock behind).
  const ok = await act('/api/environments/production/deploys', { ref: 'main' });
  expect(ok.status, JSON.stringify(ok.body)).toBe(200);
});

test('queues: pause and resume; retry one failed job, retry all, remove one, through BullMQ', async () => {
  const redisUrl = platform.registry.environments.find((e) => e.name === 'staging')!.queues.redisUrl;
  const connections = [
    new Redis(redisUrl, { maxRetriesPerRequest: null }),
    new Redis(redisUrl, { maxRetriesPerRequest: null }),
  ];
  const queue = new Queue('pdf', { connection: connections[0] });
  const worker = new Worker(
    'pdf',
    async () => {
      throw new Error('renderer crashed');
    },
    { connection: connections[1], autorun: false },
  );
  try {
    const pauseKey = `pause-${Date.now()}`;
    const paused = await act(
      '/api/environments/staging/queues/pdf',
      { action: 'pause' },
      { as: 'stagingOperator', key: pauseKey },
    );
    expect(paused.status).toBe(200);
    expect(await queue.isPaused()).toBe(true);
    expect(await auditFor(paused.body.requestId)).toMatchObject({
      user: LOCAL_USERS.stagingOperator.login,
      action: 'queue pause',
      target: 'queue pdf',
      result: 'ok',
      status: 200,
    });
    expect(
      (await act('/api/environments/staging/queues/pdf', { action: 'resume' }, { as: 'stagingOperator' })).status,
    ).toBe(200);
    expect(await queue.isPaused()).toBe(false);
    // The pause again, late, with its key: its first answer, and the queue stays running.
    expect(
      await act('/api/environments/staging/queues/pdf', { action: 'pause' }, { as: 'stagingOperator', key: pauseKey }),
    ).toMatchObject({ status: 200, replayed: true });
    expect(await queue.isPaused()).toBe(false);

    const jobs = await queue.addBulk([1, 2, 3].map((n) => ({ name: 'pdf', data: { n } })));
    const failedAll = new Promise<void>((resolve) => {
      let n = 0;
      worker.on('failed', () => {
        if (++n === 3) resolve();
      });
    });
    void worker.run();
    await failedAll;
    await worker.close();

    const retryKey = `retry-${Date.now()}`;
    const retried = await act(
      `/api/environments/staging/queues/pdf/jobs/${jobs[0].id}`,
      { action: 'retry' },
      { as: 'stagingOperator', key: retryKey },
    );
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    expect(await (await queue.getJob(jobs[0].id!))!.getState()).toBe('waiting');
    expect(await auditFor(retried.body.requestId)).toMatchObject({
      action: 'job retry',
      target: `job ${jobs[0].id} of queue pdf`,
      result: 'ok',
      status: 200,
    });
    expect(
      await act(
        `/api/environments/staging/queues/pdf/jobs/${jobs[0].id}`,
        { action: 'retry' },
        { as: 'stagingOperator', key: retryKey },
      ),
    ).toMatchObject({ status: 200, replayed: true });
    const notFailed = await act(
      `/api/environments/staging/queues/pdf/jobs/${jobs[0].id}`,
      { action: 'retry' },
      { as: 'stagingOperator' },
    );
    expect(notFailed.status).toBe(409);
    // Only a failed job may be removed: the retried one waits for a worker again.
    const waitingRemove = await act(
      `/api/environments/staging/queues/pdf/jobs/${jobs[0].id}`,
      { action: 'remove' },
      { as: 'stagingOperator' },
    );
    expect(waitingRemove.status).toBe(409);
    expect(waitingRemove.body.error!.message).toContain('only a failed job can be removed');
    expect(await queue.getJob(jobs[0].id!)).toBeDefined();
    expect(
      (
        await act(
          `/api/environments/staging/queues/pdf/jobs/${jobs[1].id}`,
          { action: 'remove' },
          { as: 'stagingOperator' },
        )
      ).status,
    ).toBe(200);
    expect(await queue.getJob(jobs[1].id!)).toBeUndefined();
    const all = await act(
      '/api/environments/staging/queues/pdf',
      { action: 'retry-failed' },
      { as: 'stagingOperator' },
    );
    expect(all.body.detail).toBe('moved 1 failed job of pdf back to waiting');
    expect(await queue.getJobCountByTypes('failed')).toBe(0);
  } finally {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
    for (const connection of connections) connection.disconnect(); // BullMQ leaves connections it was given open
  }
});

test("unknown names answer 404, anonymous 401, viewers and the other environment's operator 403, a cross-origin POST 403, bad JSON 400: each audited", async () => {
  const anonymous = await fetch(`${controlPlane.url}/api/environments/staging/services/api`, {
    method: 'POST',
    headers: {
      origin: controlPlane.url,
      'content-type': 'application/json',
      'idempotency-key': `anonymous-${Date.now()}`,
    },
    body: JSON.stringify({ action: 'redeploy' }),
  });
  expect(anonymous.status).toBe(401);
  const refusedAnonymous = (await anonymous.json()) as { requestId: string };
  // Refused before its body is read (nobody's body is parsed before we know who sent it): the route's action.
  expect(await auditFor(refusedAnonymous.requestId)).toMatchObject({
    user: null,
    action: 'service',
    environment: 'staging',
    target: 'api',
    result: 'refused',
    status: 401,
  });
  // As the operator of staging: the operator's own allowance of actions a minute (30) is spent by the tests before.
  const asStaging = { as: 'stagingOperator' } as const;
  expect((await act('/api/environments/nowhere/services/api', { action: 'redeploy' }, asStaging)).status).toBe(404);
  expect((await act('/api/environments/staging/services/database', { action: 'redeploy' }, asStaging)).status).toBe(
    404,
  );
  expect((await act('/api/environments/staging/queues/nope', { action: 'pause' }, asStaging)).status).toBe(404);
  expect((await act('/api/environments/staging/queues/pdf/jobs/999999', { action: 'retry' }, asStaging)).status).toBe(
    404,
  );
  // BullMQ's own keys are not jobs: removing "meta" would delete the queue's settings.
  for (const reserved of ['meta', 'events', 'id', '..%2Fmeta']) {
    expect(
      (await act(`/api/environments/staging/queues/pdf/jobs/${reserved}`, { action: 'remove' }, asStaging)).status,
      reserved,
    ).toBe(404);
  }
  const viewer = await act('/api/environments/staging/services/api', { action: 'redeploy' }, { as: 'viewer' });
  expect(viewer.status).toBe(403);
  expect(await auditFor(viewer.body.requestId)).toMatchObject({
    user: LOCAL_USERS.viewer.login,
    role: 'viewer',
    result: 'refused',
    status: 403,
  });
  expect(
    (await act('/api/environments/production/services/api', { action: 'redeploy' }, { as: 'stagingOperator' })).status,
  ).toBe(403);
  const crossSite = await act(
    '/api/environments/staging/services/api',
    { action: 'redeploy' },
    { origin: 'https://evil.example' },
  );
  expect(crossSite.status).toBe(403);
  expect(crossSite.body.error!.message).toContain('cross-origin');
  for (const raw of [
    '{"action":',
    '[]',
    '"redeploy"',
    JSON.stringify({ action: 'redeploy', extra: 1 }),
    JSON.stringify({ __proto__: { action: 'redeploy' } }),
  ]) {
    const answer = await act('/api/environments/staging/services/api', raw, asStaging);
    expect(answer.status, raw).toBe(400);
  }
  const big = await act(
    '/api/environments/staging/services/api',
    JSON.stringify({ action: 'rollback', revision: 1, reason: 'x'.repeat(20_000) }),
    asStaging,
  );
  expect(big.status).toBe(413);
});

test('each person has a rate limit on actions: past it, 429 with the reason, audited, and nothing done', async () => {
  // Each accepted attempt changes the queue (pause, then resume, and so on), so the refused one
  // is seen to change nothing: the queue stays as the last accepted attempt left it.
  const redisUrl = platform.registry.environments.find((e) => e.name === 'staging')!.queues.redisUrl;
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue('screenshot', { connection });
  let paused = await queue.isPaused();
  let refused: Answer | null = null;
  try {
    for (let attempt = 0; attempt < 40 && !refused; attempt++) {
      const action = paused ? 'resume' : 'pause';
      const answer = await act('/api/environments/staging/queues/screenshot', { action }, { as: 'stagingOperator' });
      if (answer.status === 429) {
        refused = answer;
        break;
      }
      expect(answer.status).toBe(200);
      paused = !paused;
      expect(await queue.isPaused(), `after an accepted ${action}`).toBe(paused);
    }
    expect(refused, 'no 429 within 40 actions').not.toBeNull();
    expect(refused!.body.error!.message).toContain('actions in a minute');
    expect(await queue.isPaused(), 'the refused action changed nothing').toBe(paused);
    expect(await auditFor(refused!.body.requestId)).toMatchObject({
      user: LOCAL_USERS.stagingOperator.login,
      result: 'refused',
      status: 429,
    });
    // Someone else is not limited by it, and their action is done.
    const other = await act('/api/environments/staging/queues/screenshot', { action: paused ? 'resume' : 'pause' });
    expect(other.status).toBe(200);
    paused = !paused;
    expect(await queue.isPaused()).toBe(paused);
  } finally {
    if (paused) await queue.resume();
    await queue.close();
    connection.disconnect();
  }
});
