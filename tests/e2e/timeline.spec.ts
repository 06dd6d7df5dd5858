/**
 * The environment timeline: a scaling activity (fired in the emulator, as an alarm would), an
 * operator's scale and a deploy dispatched through the control plane each appear as a marker at
 * the time it happened, on the lane and in the list; hovering tells what it is and a click opens it.
 * Last in the run: it adds a deploy run and scales staging's worker (and puts it back).
 */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { controlEmulator, SEEDED } from '../../scripts/platform';
import { authState } from './global-setup';

const baseURL = () => process.env.PILOTHOUSE_E2E_URL!;
type Entry = { name: string; ecs: { cluster: string; services: Record<string, string> } };
const staging = () =>
  (
    JSON.parse(readFileSync(process.env.PILOTHOUSE_E2E_REGISTRY_FILE!, 'utf8')) as { environments: Entry[] }
  ).environments.find((e) => e.name === 'staging')!;

function operatorCookie(): string {
  const state = JSON.parse(readFileSync(authState('operator'), 'utf8')) as {
    cookies: { name: string; value: string }[];
  };
  return state.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}
async function act(path: string, body: unknown) {
  const response = await fetch(`${baseURL()}${path}`, {
    method: 'POST',
    headers: {
      cookie: operatorCookie(),
      origin: baseURL(),
      'content-type': 'application/json',
      'idempotency-key': `timeline-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  return response.json() as Promise<Record<string, unknown>>;
}

test('a scaling activity, an operator action and a deploy appear as markers at the times they happened', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const worker = `service/${staging().ecs.cluster}/${staging().ecs.services.worker}`;
  const before = Date.now();
  await controlEmulator(process.env.PILOTHOUSE_E2E_EMULATOR_URL!, 'autoscaling/fire', {
    region: SEEDED.staging.region,
    resourceId: worker,
    desiredCount: SEEDED.staging.desired.worker + 1,
    cause: 'monitor alarm backlog-high in state ALARM triggered policy backlog',
  });
  const afterScaling = Date.now();
  await act('/api/environments/staging/services/worker', {
    action: 'scale',
    desiredCount: SEEDED.staging.desired.worker,
  });
  const afterAction = Date.now();
  const deploy = await act('/api/environments/staging/deploys', { ref: 'main' });
  const afterDeploy = Date.now();

  await page.goto(`${baseURL()}/environments/staging/timeline?range=1h`);
  const rows = page.getByTestId('panel-markers');
  const scaling = rows.locator('tr[data-marker-row="scaling"]').filter({ hasText: 'backlog-high' });
  await expect(scaling).toHaveCount(1);
  const scalingAt = Number(await scaling.getAttribute('data-at'));
  expect(scalingAt).toBeGreaterThanOrEqual(before - 1_000);
  expect(scalingAt).toBeLessThanOrEqual(afterScaling + 1_000);
  await expect(scaling).toContainText(`worker: Setting desired count to ${SEEDED.staging.desired.worker + 1}.`);

  const action = rows.locator('tr[data-marker-row="action"]').filter({ hasText: 'scale worker by olivia-ops' });
  await expect(action).toHaveCount(1);
  const actionAt = Number(await action.getAttribute('data-at'));
  expect(actionAt).toBeGreaterThanOrEqual(afterScaling - 1_000);
  expect(actionAt).toBeLessThanOrEqual(afterAction + 1_000);

  const run = rows.locator(`tr[data-marker-id="run-${deploy.runId}"]`);
  await expect(run).toHaveCount(1);
  await expect(run).toContainText('main');
  const runAt = Number(await run.getAttribute('data-at'));
  expect(runAt).toBeGreaterThanOrEqual(afterAction - 1_000);
  expect(runAt).toBeLessThanOrEqual(afterDeploy + 1_000); // GitHub's created_at: the dispatch

  // On the lane, in the same order as they happened; hover says what, a click opens it.
  const lane = page.getByTestId('marker-lane');
  const laneScaling = lane.locator(`[data-marker-id="${await scaling.getAttribute('data-marker-id')}"]`);
  const laneRun = lane.locator(`[data-marker-id="run-${deploy.runId}"]`);
  await expect(laneRun).toBeVisible();
  expect((await laneScaling.boundingBox())!.x).toBeLessThanOrEqual((await laneRun.boundingBox())!.x);
  await laneRun.hover();
  await expect(lane.getByRole('tooltip').filter({ hasText: 'Deploy #' }).first()).toBeVisible();
  await laneRun.click();
  await expect(page).toHaveURL(new RegExp(`/environments/staging/deploys\\?run=${deploy.runId}$`));

  // The environment page's strip shows the same events.
  await page.goto(`${baseURL()}/environments/staging`);
  await expect(page.getByTestId('timeline-strip').locator('[data-marker="scaling"]').first()).toBeAttached();
  await expect(page.getByTestId('timeline-strip').locator('[data-marker="action"]').first()).toBeAttached();
});

test('zooming in on a row zooms every row and the lane, and the whole range comes back', async ({ page }) => {
  await page.goto(`${baseURL()}/environments/staging/timeline?range=3h`);
  const rows = page.getByTestId('timeline-row');
  await expect(rows.locator('canvas')).toHaveCount(4);
  const box = (await rows.first().locator('.u-over').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.95, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect(page.getByTestId('zoom-reset')).toBeVisible();
  await page.getByTestId('zoom-reset').click();
  await expect(page.getByTestId('zoom-reset')).toHaveCount(0);
});
