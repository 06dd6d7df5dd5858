import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { EMULATOR_CREDENTIALS } from '../../scripts/local-platform';
import { SEEDED } from '../../scripts/seed';

const baseURL = () => process.env.PILOTHOUSE_E2E_URL!;

function serviceRow(page: Page, environment: string, role: string) {
  return page.getByRole('region', { name: environment }).locator(`tr[data-service="${role}"]`);
}

test('the overview shows both environments with their services as seeded', async ({ page }) => {
  await page.goto(baseURL());

  await expect(page.getByRole('heading', { name: 'Environments' })).toBeVisible();
  for (const [name, spec] of Object.entries(SEEDED)) {
    const panel = page.getByRole('region', { name });
    await expect(panel).toContainText(spec.region);
    await expect(panel.getByTestId('production-badge')).toHaveCount(spec.production ? 1 : 0);
    for (const role of ['api', 'worker'] as const) {
      const row = serviceRow(page, name, role);
      await expect(row.locator('[data-count="desired"]')).toHaveText(String(spec.desired[role]));
      await expect(row.locator('[data-count="running"]')).toHaveText(String(spec.desired[role]));
      await expect(row.locator('[data-count="pending"]')).toHaveText('0');
      await expect(row).toContainText(`pilothouse-${name}-${role}:3`);
      await expect(row).toContainText('completed');
    }
  }
  await page.screenshot({ path: test.info().outputPath('overview.png'), fullPage: true });
});

test('the overview reads ECS live: a scale-out shows its rollout, then the new count', async ({ page }) => {
  const registry = JSON.parse(readFileSync(process.env.PILOTHOUSE_E2E_REGISTRY_FILE!, 'utf8'));
  const staging = registry.environments.find((e: { name: string }) => e.name === 'staging');
  const ecs = new ECSClient({ region: staging.aws.region, endpoint: process.env.PILOTHOUSE_E2E_EMULATOR_URL, credentials: EMULATOR_CREDENTIALS });
  await ecs.send(new UpdateServiceCommand({ cluster: staging.ecs.cluster, service: staging.ecs.services.worker, desiredCount: 3 }));

  await page.goto(baseURL());
  const row = serviceRow(page, 'staging', 'worker');
  await expect(row.locator('[data-count="desired"]')).toHaveText('3');
  await expect(async () => {
    await page.reload();
    await expect(row.locator('[data-count="running"]')).toHaveText('3', { timeout: 500 });
  }).toPass({ timeout: 15_000 });
});
