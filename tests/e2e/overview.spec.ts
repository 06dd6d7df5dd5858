import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { controlEmulator, EMULATOR_CREDENTIALS, SEEDED } from '../../scripts/platform';

const baseURL = () => process.env.PILOTHOUSE_E2E_URL!;

function serviceRow(page: Page, environment: string, role: string) {
  return page.getByRole('region', { name: environment, exact: true }).locator(`tr[data-service="${role}"]`);
}

test('the overview shows both environments with their services as seeded', async ({ page }) => {
  await page.goto(baseURL());

  await expect(page.getByRole('heading', { name: 'Environments' })).toBeVisible();
  for (const [name, spec] of Object.entries(SEEDED)) {
    const panel = page.getByRole('region', { name, exact: true });
    await expect(panel).toContainText(spec.region);
    await expect(panel.getByTestId('production-badge')).toHaveCount(spec.production ? 1 : 0);
    for (const role of ['api', 'worker'] as const) {
      const row = serviceRow(page, name, role);
      await expect(row.locator('[data-count="desired"]')).toHaveText(String(spec.desired[role]));
      await expect(row.locator('[data-count="running"]')).toHaveText(String(spec.desired[role]));
      await expect(row.locator('[data-count="pending"]')).toHaveText('0');
      await expect(row).toContainText(`pilothouse-${name}-${role}:3`);
      await expect(row).toContainText('completed');
      await expect(row).toContainText(`${spec.bounds[role][0]}–${spec.bounds[role][1]}`);
    }
    await expect(panel.getByTestId('target-health')).toContainText(`${spec.desired.api}/${spec.desired.api} healthy`);
    await expect(panel.locator('tr[data-queue]')).toHaveCount(3);
    // The stand-in's history: four runs per environment, interleaved, staging's first: each card shows its own.
    await expect(panel.getByTestId('last-deploy')).toContainText(name === 'staging' ? '#7 main' : '#8 main');
  }
  await page.screenshot({ path: test.info().outputPath('overview.png'), fullPage: true });
});

test('the overview reads ECS live: a scale-out shows its rollout, then the new count', async ({ page }) => {
  const registry = JSON.parse(readFileSync(process.env.PILOTHOUSE_E2E_REGISTRY_FILE!, 'utf8'));
  const staging = registry.environments.find((e: { name: string }) => e.name === 'staging');
  const ecs = new ECSClient({
    region: staging.aws.region,
    endpoint: process.env.PILOTHOUSE_E2E_EMULATOR_URL,
    credentials: EMULATOR_CREDENTIALS,
  });
  const service = { cluster: staging.ecs.cluster, service: staging.ecs.services.worker };
  const { services } = await ecs.send(new DescribeServicesCommand({ ...service, services: [service.service] }));
  const seeded = services![0].desiredCount!;
  expect(seeded, 'the scale-out changes the count').not.toBe(3);
  const row = serviceRow(page, 'staging', 'worker');
  /** Through the shared cache (ECS is fresh for 5 s): a reload within seconds shows the count. */
  const shows = async (count: number) =>
    expect(async () => {
      await page.reload();
      await expect(row.locator('[data-count="desired"]')).toHaveText(String(count), { timeout: 500 });
      await expect(row.locator('[data-count="running"]')).toHaveText(String(count), { timeout: 500 });
    }).toPass({ timeout: 20_000 });

  await ecs.send(new UpdateServiceCommand({ ...service, desiredCount: 3 }));
  try {
    await page.goto(baseURL());
    await shows(3);
  } finally {
    // Staging as it was for the files after this one (and the next run of this one).
    await ecs.send(new UpdateServiceCommand({ ...service, desiredCount: seeded }));
    ecs.destroy();
  }
  await shows(seeded);
});

test('an unhealthy ALB target shows with its reason', async ({ page }) => {
  const registry = JSON.parse(readFileSync(process.env.PILOTHOUSE_E2E_REGISTRY_FILE!, 'utf8'));
  const production = registry.environments.find((e: { name: string }) => e.name === 'production');
  const targetGroupArn = production.alb.targetGroupArns.api;
  const targetId = '10.20.10.11';
  await controlEmulator(process.env.PILOTHOUSE_E2E_EMULATOR_URL!, 'elbv2/target-health', {
    targetGroupArn,
    targetId,
    state: 'unhealthy',
    reason: 'Target.ResponseCodeMismatch',
    description: 'Health checks failed with these codes: [503]',
  });
  try {
    await page.goto(baseURL());
    const health = page.getByRole('region', { name: 'production', exact: true }).getByTestId('target-health');
    await expect(async () => {
      await page.reload();
      await expect(health).toContainText('2/3 healthy', { timeout: 500 });
    }).toPass({ timeout: 20_000 });
    await expect(health).toContainText(
      `${targetId}:8000 unhealthy — Target.ResponseCodeMismatch: Health checks failed with these codes: [503]`,
    );
    await page.screenshot({ path: test.info().outputPath('unhealthy.png'), fullPage: true });
  } finally {
    await controlEmulator(process.env.PILOTHOUSE_E2E_EMULATOR_URL!, 'elbv2/target-health', {
      targetGroupArn,
      targetId,
      state: 'healthy',
    });
  }
});
