/**
 * The dashboard while what it reads fails: AWS (the emulator behind a proxy this file stops
 * and starts) and the control plane's own Redis. An on-call tool must be most useful exactly
 * then. Its own platform and control plane, so the other specs keep theirs. In file order:
 * the last test leaves Redis stopped.
 */
import { expect, test } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LOCAL_USERS, startControlPlane, startSeededPlatform, type SeededPlatform } from '../../scripts/seeded-platform';
import { signInInBrowser } from '../support/browser-sign-in';
import type { RunningServer } from '../../scripts/local-platform';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

let platform: SeededPlatform;
let controlPlane: RunningServer;
let stateDir: string;
let awsProxy: TcpProxy;

test.beforeAll(async () => {
  stateDir = mkdtempSync(path.join(tmpdir(), 'pilothouse-outage-'));
  platform = await startSeededPlatform({ stateDir, step: () => () => {} });
  awsProxy = await startTcpProxy({ host: '127.0.0.1', port: platform.emulator.port });
  // The control plane reaches AWS only through the proxy.
  controlPlane = await startControlPlane({ ...platform, env: { ...platform.env, AWS_ENDPOINT_URL: awsProxy.url } }, { step: () => () => {} });
});
// This control plane has its own session key: sign in to it (before anything is broken).
test.beforeEach(async ({ page }) => {
  await page.context().clearCookies();
  await signInInBrowser(page, controlPlane.url, LOCAL_USERS.operator.login);
});
test.afterAll(async () => {
  await controlPlane?.stop();
  await awsProxy?.stop();
  await platform?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

test('with AWS gone (connections refused), an open page keeps its values with the error and their age, and recovers when AWS is back', async ({ page }) => {
  await page.goto(`${controlPlane.url}/environments/staging`);
  await expect(page.getByTestId('live-state')).toHaveText('live', { timeout: 20_000 });
  const desired = page.locator('article[data-service="api"] [data-count="desired"]');
  await expect(desired).toHaveText('2');
  await awsProxy.stop();
  try {
    const ecsError = page.locator('[data-part-error="ECS"]');
    await expect(ecsError).toContainText(/showing data from \d+[smh] ago/, { timeout: 30_000 });
    await expect(page.locator('[data-part-error="ALB targets"]')).toContainText(/showing data from \d+[smh] ago/, { timeout: 30_000 });
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

async function expectUsefulOverview(page: import('@playwright/test').Page) {
  const response = await page.goto(controlPlane.url);
  expect(response!.status()).toBe(200);
  const staging = page.getByRole('region', { name: 'staging', exact: true });
  // AWS parts read directly by this server, and said so; the queues (on that Redis) carry their error.
  await expect(staging.locator('tr[data-service="api"]')).toBeVisible();
  await expect(staging.getByTestId('target-health')).toContainText('healthy');
  await expect(page.getByTestId('shared-cache-down')).toContainText(/Shared cache \(Redis\) unavailable: (no answer within 1500 ms|cannot connect)/);
  await expect(staging.locator('[data-part="Queues"] [role="alert"]')).toContainText("Queues: the queues' Redis did not answer");
}

test('with its Redis paused (SIGSTOP), pages still show ECS and the ALB and say what failed; an open page says its updates are delayed, then resumes', async ({ page, context }) => {
  const open = await context.newPage();
  await open.goto(`${controlPlane.url}/environments/staging`);
  await expect(open.getByTestId('live-state')).toHaveText('live', { timeout: 20_000 });
  process.kill(platform.redis.pid, 'SIGSTOP');
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
    process.kill(platform.redis.pid, 'SIGCONT');
  }
  await expect(open.getByTestId('live-state')).toHaveText('live', { timeout: 30_000 });
  await expect(page.getByTestId('live-state')).toHaveText('live', { timeout: 30_000 });
  await expect(page.getByTestId('shared-cache-down')).toHaveCount(0, { timeout: 30_000 });
});

test('with its Redis stopped, the overview still shows ECS and the ALB, and says what failed', async ({ page }) => {
  await platform.redis.stop();
  await expectUsefulOverview(page);
});
