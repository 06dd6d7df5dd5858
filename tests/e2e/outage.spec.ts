/**
 * The dashboard while what it reads fails: AWS (the emulator behind a proxy this file stops,
 * hangs and has throttle) and the control plane's own Redis. An on-call tool must be most useful exactly
 * then. Its own platform and control plane, so the other specs keep theirs. In file order:
 * Redis is paused, then killed and restarted from its append-only file, and the last test
 * leaves it stopped.
 */
import { keys } from '@/contracts/keys';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { expect, test } from '@playwright/test';
import { Redis } from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  LOCAL_USERS,
  startControlPlane,
  startSeededPlatform,
  type SeededPlatform,
  EMULATOR_CREDENTIALS,
  startRedis,
  type RunningServer,
} from '../../scripts/platform';
import { signInInBrowser } from '../support/browser-sign-in';
import { startAwsFaultProxy, type AwsFaultProxy } from '../support/aws-fault-proxy';

let platform: SeededPlatform;
let controlPlane: Awaited<ReturnType<typeof startControlPlane>>;
let stateDir: string;
let awsProxy: AwsFaultProxy;
/** The control plane's Redis now: the platform's, or the one restarted on its port and data. */
let redis: RunningServer;
let restartedRedis: RunningServer | undefined;

test.beforeAll(async () => {
  stateDir = mkdtempSync(path.join(tmpdir(), 'pilothouse-outage-'));
  platform = await startSeededPlatform({ stateDir, step: () => () => {}, redis: { appendOnly: true } });
  redis = platform.redis;
  awsProxy = await startAwsFaultProxy({ host: '127.0.0.1', port: platform.emulator.port });
  // The control plane reaches AWS only through the proxy.
  controlPlane = await startControlPlane(
    { ...platform, env: { ...platform.env, AWS_ENDPOINT_URL: awsProxy.url } },
    { step: () => () => {} },
  );
});
// This control plane has its own session key: sign in to it (before anything is broken).
test.beforeEach(async ({ page }) => {
  await page.context().clearCookies();
  await signInInBrowser(page, controlPlane.url, LOCAL_USERS.operator.login);
});
test.afterAll(async () => {
  await controlPlane?.stop();
  await awsProxy?.stop();
  await restartedRedis?.stop();
  await platform?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

test('with AWS gone (connections refused), an open page keeps its values with the error and their age, and recovers when AWS is back', async ({
  page,
}) => {
  // Three waits of up to 30 s each (the failure seen, then a TTL after AWS is back): a budget, not a goal.
  test.setTimeout(90_000);
  await page.goto(`${controlPlane.url}/environments/staging`);
  await expect(page.getByTestId('live-state')).toHaveText('live', { timeout: 20_000 });
  const desired = page.locator('article[data-service="api"] [data-count="desired"]');
  await expect(desired).toHaveText('2');
  await awsProxy.stop();
  try {
    const ecsError = page.locator('[data-part-error="ECS"]');
    await expect(ecsError).toContainText(/showing data from \d+[smh] ago/, { timeout: 30_000 });
    await expect(page.locator('[data-part-error="ALB targets"]')).toContainText(/showing data from \d+[smh] ago/, {
      timeout: 30_000,
    });
    await expect(desired).toHaveText('2');
    await expect(page.getByTestId('live-state')).toHaveText('live'); // the stream itself is fine: it says what failed
    await expect(page.getByTestId('status-unrefreshed')).toContainText('ECS, ALB targets');
    await page.screenshot({ path: test.info().outputPath('environment-aws-down.png'), fullPage: true });
  } finally {
    await awsProxy.start();
  }
  await expect(page.locator('[data-part-error="ECS"]')).toHaveCount(0, { timeout: 30_000 });
  await expect(page.locator('[data-part-error="ALB targets"]')).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByTestId('status-unrefreshed')).toHaveCount(0);
  await expect(desired).toHaveText('2');
});

/** The longest a part waits on AWS before it is served with a timeout error (lib/cache.ts DEFAULT_LOCK_MS). */
const PART_DEADLINE_MS = 10_000;

test('with AWS hung (requests accepted, never answered), pages still answer in bounded time, show the last values with the error and their age, and recover', async ({
  page,
  context,
}) => {
  test.setTimeout(120_000);
  await page.goto(`${controlPlane.url}/environments/staging`);
  await expect(page.getByTestId('live-state')).toHaveText('live', { timeout: 20_000 });
  const desired = page.locator('article[data-service="api"] [data-count="desired"]');
  await expect(desired).toHaveText('2');
  awsProxy.hang();
  try {
    await expect(page.locator('[data-part-error="ECS"]')).toContainText(/showing data from \d+[smh] ago/, {
      timeout: 45_000,
    });
    await expect(desired).toHaveText('2');
    await expect(page.getByTestId('live-state')).toHaveText('live');
    // A page opened now, whose parts nobody was watching (production's): each waits on the hung
    // AWS only until its deadline, then is shown with its error.
    const fresh = await context.newPage();
    const started = Date.now();
    const response = await fresh.goto(controlPlane.url);
    const tookMs = Date.now() - started;
    expect(response!.status()).toBe(200);
    expect(tookMs, `the overview took ${tookMs} ms with AWS hung`).toBeLessThan(PART_DEADLINE_MS + 5_000);
    await expect(
      fresh.getByRole('region', { name: 'production', exact: true }).locator('[data-part-error]').first(),
    ).toBeVisible();
    await fresh.close();
  } finally {
    awsProxy.pass();
  }
  await expect(page.locator('[data-part-error="ECS"]')).toHaveCount(0, { timeout: 30_000 });
  await expect(desired).toHaveText('2');
});

test('with AWS throttling half the calls, an open page shows no failure (the SDK retries, the cache serves young values through what is left), and AWS calls stay within 2x of normal (no retry storm)', async ({
  page,
}) => {
  test.setTimeout(150_000);
  await page.goto(`${controlPlane.url}/environments/staging`);
  await expect(page.getByTestId('live-state')).toHaveText('live', { timeout: 20_000 });
  await expect(page.locator('[data-part-error]')).toHaveCount(0, { timeout: 30_000 });
  // The proxy's sequence is seeded, so 15 s windows give the same run each time.
  const WINDOW_MS = 15_000;
  /** AWS calls through the proxy in one window, and every failure the page showed meanwhile. */
  const watch = async () => {
    const before = awsProxy.requests();
    const shown = new Set<string>();
    for (const end = Date.now() + WINDOW_MS; Date.now() < end; await page.waitForTimeout(500)) {
      for (const text of await page.locator('[data-part-error], [data-testid="status-unrefreshed"]').allTextContents())
        shown.add(text);
    }
    return { calls: awsProxy.requests() - before, shown: [...shown] };
  };
  /** Refreshes the control plane itself saw fail as rate-limited (its log: lib/snapshot.ts), after the SDK's retries. */
  const rateLimitedRefreshes = () =>
    controlPlane
      .output()
      .split('\n')
      .filter((line) => line.includes('snapshot part failed') && line.includes('"code":"rate_limited"')).length;
  const normal = await watch();
  awsProxy.throttle(1 / 2);
  const throttledBefore = awsProxy.throttled();
  const seenBefore = rateLimitedRefreshes();
  let throttling: Awaited<ReturnType<typeof watch>>;
  try {
    throttling = await watch();
  } finally {
    awsProxy.pass();
  }
  const ratio = throttling.calls / normal.calls;
  const seen = rateLimitedRefreshes() - seenBefore;
  console.log(
    `AWS calls in ${WINDOW_MS / 1000} s: ${normal.calls} normal, ${throttling.calls} with half throttled (${awsProxy.throttled() - throttledBefore} throttled, ${seen} refreshes failed past the SDK's retries): ${ratio.toFixed(2)}x`,
  );
  expect(normal.calls).toBeGreaterThan(5);
  // Seen by the control plane, not promised by the proxy: the cache really had failures to absorb.
  expect(seen, 'refreshes the control plane saw fail as rate-limited').toBeGreaterThan(0);
  expect(throttling.shown).toEqual([]);
  expect(ratio).toBeLessThanOrEqual(2);

  // An action whose AWS calls are throttled past the SDK's retry: 503 to retry, and the same key then runs it.
  const act = (key: string) =>
    page.request.post(`${controlPlane.url}/api/environments/staging/services/api`, {
      data: { action: 'scale', desiredCount: 2 },
      headers: { origin: controlPlane.url, 'idempotency-key': key },
      failOnStatusCode: false,
    });
  const key = `throttled-scale-${Date.now()}`;
  awsProxy.throttle(1);
  let refused;
  try {
    refused = await act(key);
  } finally {
    awsProxy.pass();
  }
  expect(refused.status(), await refused.text()).toBe(503);
  expect(refused.headers()['retry-after']).toBe('5');
  expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
    /ThrottlingException.*nothing was done; try again/,
  );
  const retried = await act(key);
  expect(retried.status(), await retried.text()).toBe(200);
});

async function expectUsefulOverview(page: import('@playwright/test').Page) {
  const staging = page.getByRole('region', { name: 'staging', exact: true });
  // AWS parts read directly by this server, and said so; the queues (on that Redis) carry their error.
  // On a busy machine a direct read can pass the cache's 8 s deadline: that load says "ECS cannot
  // be read … no answer within 8000 ms" (bounded, and said), and the next one shows ECS.
  await expect(async () => {
    const response = await page.goto(controlPlane.url);
    expect(response!.status()).toBe(200);
    await expect(staging.locator('tr[data-service="api"]')).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await expect(staging.getByTestId('target-health')).toContainText('healthy');
  await expect(page.getByTestId('shared-cache-down')).toContainText(
    /Shared cache \(Redis\) unavailable: (no answer within 1500 ms|cannot connect)/,
  );
  await expect(staging.locator('[data-part="Queues"] [role="alert"]')).toContainText(
    "Queues: the queues' Redis did not answer",
  );
}

test('with its Redis paused (SIGSTOP), pages still show ECS and the ALB and say what failed; an open page says its updates are delayed, then resumes', async ({
  page,
  context,
}) => {
  // Every Redis read of every page load waits out its 1.5 s timeout while Redis is paused.
  test.setTimeout(90_000);
  const open = await context.newPage();
  await open.goto(`${controlPlane.url}/environments/staging`);
  await expect(open.getByTestId('live-state')).toHaveText('live', { timeout: 20_000 });
  process.kill(redis.pid, 'SIGSTOP');
  try {
    await expectUsefulOverview(page);
    await page.screenshot({ path: test.info().outputPath('overview-redis-paused.png'), fullPage: true });
    // A page opened now says so too; its live stream (Redis pub/sub) waits for Redis.
    await page.goto(`${controlPlane.url}/environments/staging`);
    await expect(page.getByTestId('shared-cache-down')).toContainText('Shared cache (Redis) unavailable');
    await expect(page.locator('article[data-service="api"] [data-count="desired"]')).toHaveText('2');
    await expect(page.getByTestId('live-state')).toHaveText(/connecting…|updates delayed/);
    // The page that was open stops claiming to be live once the updates stop coming.
    await expect(open.getByTestId('live-state')).toHaveText('updates delayed', { timeout: 30_000 });
  } finally {
    process.kill(redis.pid, 'SIGCONT');
  }
  await expect(open.getByTestId('live-state')).toHaveText('live', { timeout: 30_000 });
  await expect(page.getByTestId('live-state')).toHaveText('live', { timeout: 30_000 });
  await expect(page.getByTestId('shared-cache-down')).toHaveCount(0, { timeout: 30_000 });
});

test('with its Redis killed and restarted (AOF): open pages say they are reconnecting and resume by themselves with what changed meanwhile; an action answers 503, is audited once Redis is back, and runs once when repeated', async ({
  page,
  context,
}) => {
  test.setTimeout(120_000);
  const staging = platform.registry.environments.find((e) => e.name === 'staging')!;
  const ecs = new ECSClient({
    region: staging.aws.region,
    endpoint: platform.emulator.url,
    credentials: EMULATOR_CREDENTIALS,
  });
  const worker = async () =>
    (
      await ecs.send(
        new DescribeServicesCommand({ cluster: staging.ecs.cluster, services: [staging.ecs.services.worker] }),
      )
    ).services![0];
  const deploymentsBefore = (await worker()).deployments!.map((d) => d.id);
  const open = await context.newPage();
  await open.goto(`${controlPlane.url}/environments/staging`);
  await expect(open.getByTestId('live-state')).toHaveText('live', { timeout: 20_000 });
  const desired = open.locator('article[data-service="worker"] [data-count="desired"]');
  await expect(desired).toHaveText('1');

  process.kill(redis.pid, 'SIGKILL');
  const act = (key: string) =>
    page.request.post(`${controlPlane.url}/api/environments/staging/services/worker`, {
      data: { action: 'redeploy' },
      headers: { origin: controlPlane.url, 'idempotency-key': key },
      failOnStatusCode: false,
    });
  const key = `outage-redeploy-${Date.now()}`;
  const refused = await act(key);
  expect(refused.status()).toBe(503);
  const refusal = (await refused.json()) as { error: { code: string; message: string }; requestId: string };
  expect(refusal.error.code).toBe('unavailable');
  expect((await worker()).deployments!.map((d) => d.id)).toEqual(deploymentsBefore); // nothing done
  // Meanwhile the platform changes: the page must show it once it is back, without a reload.
  await ecs.send(
    new UpdateServiceCommand({ cluster: staging.ecs.cluster, service: staging.ecs.services.worker, desiredCount: 2 }),
  );
  try {
    await expect(open.getByTestId('live-state')).toHaveText(/updates delayed|reconnecting…/, { timeout: 30_000 });
    await expect(desired).toHaveText('1'); // the last values stay on the page while it waits
    await open.screenshot({ path: test.info().outputPath('environment-redis-restarting.png'), fullPage: true });

    restartedRedis = await startRedis({ appendOnly: true, restartOf: { port: redis.port, dir: platform.redis.dir } });
    redis = restartedRedis;
    await expect(open.getByTestId('live-state')).toHaveText('live', { timeout: 30_000 });
    await expect(desired).toHaveText('2', { timeout: 30_000 });

    // The refusal is in the audit once its store is back (held by the instance meanwhile).
    const audit = new Redis(platform.env.REDIS_URL!);
    try {
      await expect
        .poll(
          async () => {
            const records = (await audit.xrevrange(keys.audit, '+', '-', 'COUNT', 500)).map(
              ([, fields]) => JSON.parse(fields[1]) as { requestId?: string; result: string; status: number },
            );
            return records.filter((r) => r.requestId === refusal.requestId);
          },
          { timeout: 15_000 },
        )
        .toEqual([expect.objectContaining({ result: 'refused', status: 503, action: 'redeploy', target: 'worker' })]);
    } finally {
      audit.disconnect();
    }

    // The operator repeats it with the same key: it runs now, once; a third time changes nothing more.
    const ran = await act(key);
    expect(ran.status(), await ran.text()).toBe(200);
    const again = await act(key);
    expect(again.status()).toBe(200);
    expect(again.headers()['idempotent-replayed']).toBe('true');
    const added = (await worker()).deployments!.filter((d) => !deploymentsBefore.includes(d.id));
    expect(added).toHaveLength(1);
  } finally {
    await ecs.send(
      new UpdateServiceCommand({ cluster: staging.ecs.cluster, service: staging.ecs.services.worker, desiredCount: 1 }),
    );
  }
});

test('with its Redis stopped, the overview still shows ECS and the ALB, and says what failed', async ({ page }) => {
  test.setTimeout(60_000);
  await redis.stop();
  await expectUsefulOverview(page);
});
