/**
 * The overview while the control plane's own Redis fails: an on-call tool must be most
 * useful exactly then. Its own platform and control plane, so the other specs keep theirs.
 */
import { expect, test } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startControlPlane, startSeededPlatform, type SeededPlatform } from '../../scripts/seeded-platform';
import type { RunningServer } from '../../scripts/local-platform';

let platform: SeededPlatform;
let controlPlane: RunningServer;
let stateDir: string;

test.beforeAll(async () => {
  stateDir = mkdtempSync(path.join(tmpdir(), 'pilothouse-outage-'));
  platform = await startSeededPlatform({ stateDir, step: () => () => {} });
  controlPlane = await startControlPlane(platform, { step: () => () => {} });
});
test.afterAll(async () => {
  await controlPlane?.stop();
  await platform?.stop();
  rmSync(stateDir, { recursive: true, force: true });
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

test('with its Redis paused (SIGSTOP), the overview still shows ECS and the ALB, and says what failed', async ({ page }) => {
  process.kill(platform.redis.pid, 'SIGSTOP');
  try {
    await expectUsefulOverview(page);
    await page.screenshot({ path: test.info().outputPath('overview-redis-paused.png'), fullPage: true });
  } finally {
    process.kill(platform.redis.pid, 'SIGCONT');
  }
});

test('with its Redis stopped, the overview still shows ECS and the ALB, and says what failed', async ({ page }) => {
  await platform.redis.stop();
  await expectUsefulOverview(page);
});
