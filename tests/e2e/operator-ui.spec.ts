/**
 * The operator's buttons in the browser: a staging redeploy after its 5-second undo window,
 * followed live on the open page; production's needs the environment's name typed; a viewer
 * sees no buttons and a forged POST is refused.
 */
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { expect, test, type Page } from '@playwright/test';
import { Redis } from 'ioredis';
import { readFileSync } from 'node:fs';
import { keys } from '../../contracts/keys';
import { demoRepository, DEPLOYED_COMMITS, MAIN_COMMITS, EMULATOR_CREDENTIALS, SEEDED } from '../../scripts/platform';
import { authState } from './global-setup';

const baseURL = () => process.env.PILOTHOUSE_E2E_URL!;
type Entry = {
  name: string;
  ecs: { cluster: string; services: Record<string, string> };
  github: { owner: string; repo: string; deployWorkflow: string };
};
const registryEntry = (env: string) =>
  (
    JSON.parse(readFileSync(process.env.PILOTHOUSE_E2E_REGISTRY_FILE!, 'utf8')) as { environments: Entry[] }
  ).environments.find((e) => e.name === env)!;
async function deployments(env: 'staging' | 'production', role: string) {
  const entry = registryEntry(env);
  const client = new ECSClient({
    region: SEEDED[env].region,
    endpoint: process.env.PILOTHOUSE_E2E_EMULATOR_URL,
    credentials: EMULATOR_CREDENTIALS,
  });
  const { services } = await client.send(
    new DescribeServicesCommand({ cluster: entry.ecs.cluster, services: [entry.ecs.services[role]] }),
  );
  client.destroy();
  return services![0].deployments!;
}
async function primaryDeployment(env: 'staging' | 'production', role: string) {
  return (await deployments(env, role)).find((d) => d.status === 'PRIMARY')!.id!;
}
/** Runs of the deploy workflow at the GitHub stand-in, read as the control plane reads them (GitHub's documented runs list). */
async function deployRunCount(env: string): Promise<number> {
  const { owner, repo, deployWorkflow } = registryEntry(env).github;
  const { GITHUB_TOKEN } = JSON.parse(process.env.PILOTHOUSE_E2E_SERVER_SECRETS!) as { GITHUB_TOKEN: string };
  const res = await fetch(
    `${process.env.PILOTHOUSE_E2E_GITHUB_URL}/repos/${owner}/${repo}/actions/workflows/${deployWorkflow}/runs?per_page=1`,
    { headers: { authorization: `Bearer ${GITHUB_TOKEN}`, accept: 'application/vnd.github+json' } },
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { total_count: number }).total_count;
}
/** Audit records of an environment written since a moment (the stream's ids are times). */
async function auditSince(since: number, environment: string) {
  const redis = new Redis(process.env.PILOTHOUSE_E2E_REDIS_URL!);
  try {
    const entries = await redis.xrange(keys.audit, String(since), '+');
    return entries
      .map(
        ([, fields]) => JSON.parse(fields[1]) as { environment: string | null; action: string; target: string | null },
      )
      .filter((r) => r.environment === environment);
  } finally {
    redis.disconnect();
  }
}
/** Every POST the page sends from now on (actions are POSTs; reads are GETs). */
function recordActionRequests(page: Page): () => string[] {
  const sent: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST') sent.push(request.url());
  });
  return () => [...sent];
}
/** How far past the 5-second undo window the page's clock is run after Cancel. */
const PAST_THE_WINDOW_MS = 10_000;

test('staging: redeploy api, cancel within the undo window does nothing, even once the window has passed; let it run and the new deployment rolls out live', async ({
  page,
}) => {
  // The page's timers on Playwright's clock: the undo window is a timer in the browser, so Cancel
  // is judged after running that clock well past the window, not right after the click.
  await page.clock.install();
  await page.goto(`${baseURL()}/environments/staging`);
  await expect(page.getByTestId('live-state')).toHaveText('live', { timeout: 20_000 });
  const api = page.locator('article[data-service="api"]');
  const before = await deployments('staging', 'api');
  const since = Date.now();

  await api.getByRole('button', { name: 'Redeploy' }).click();
  await expect(page.getByTestId('undo-toast')).toContainText('Redeploying api in');
  await page.getByTestId('undo-toast').getByRole('button', { name: 'Cancel' }).click();
  await expect(api.getByTestId('action-outcome')).toHaveText('cancelled: nothing was done');
  const actionRequests = recordActionRequests(page);
  await page.clock.runFor(PAST_THE_WINDOW_MS);
  expect(actionRequests(), 'no action request left the page').toEqual([]);
  await expect(api.getByTestId('action-outcome')).toHaveText('cancelled: nothing was done');
  expect((await deployments('staging', 'api')).map((d) => d.id)).toEqual(before.map((d) => d.id));
  expect(await auditSince(since, 'staging'), 'no audit record: nothing was asked of the server').toEqual([]);

  await api.getByRole('button', { name: 'Redeploy' }).click();
  await expect(page.getByTestId('undo-toast')).toContainText('Redeploying api in');
  await page.clock.runFor(PAST_THE_WINDOW_MS);
  await expect(api.getByTestId('action-outcome')).toContainText('redeployed api: deployment', { timeout: 10_000 });
  const after = await primaryDeployment('staging', 'api');
  expect(after).not.toBe(before.find((d) => d.status === 'PRIMARY')!.id);
  expect(await auditSince(since, 'staging')).toMatchObject([
    { action: 'redeploy', target: 'api', result: 'started' },
    { action: 'redeploy', target: 'api', result: 'ok' },
  ]);
  // The open page follows it without a reload: ECS's event for the new deployment arrives.
  await page.clock.resume();
  await expect(api.getByText(`(deployment ${after}) deployment completed`).first()).toBeAttached({ timeout: 20_000 });
  await expect(page.getByTestId('panel-last-actions')).toBeVisible();
});

test("production: redeploy needs the environment's name typed", async ({ page }) => {
  await page.goto(`${baseURL()}/environments/production`);
  await expect(page.getByTestId('live-state')).toHaveText('live', { timeout: 20_000 });
  const api = page.locator('article[data-service="api"]');
  const before = await primaryDeployment('production', 'api');
  await api.getByRole('button', { name: 'Redeploy' }).click();
  const confirm = api.getByTestId('typed-confirmation');
  await expect(page.getByTestId('undo-toast')).toHaveCount(0);
  await confirm.getByRole('textbox').fill('prod');
  await expect(confirm.getByRole('button', { name: 'Confirm' })).toBeDisabled();
  await confirm.getByRole('textbox').fill('production');
  await confirm.getByRole('button', { name: 'Confirm' }).click();
  await expect(api.getByTestId('action-outcome')).toContainText('redeployed api', { timeout: 10_000 });
  expect(await primaryDeployment('production', 'api')).not.toBe(before);
});

test('deploy preview: the commits main brings over what staging runs, and that its image is not built yet; shown with the undo window, whose Cancel dispatches nothing', async ({
  page,
}) => {
  const repository = demoRepository();
  const running = DEPLOYED_COMMITS.staging.at(-1)!;
  const newer = repository.commits.slice(running + 1, MAIN_COMMITS).reverse(); // newest first
  await page.clock.install();
  await page.goto(`${baseURL()}/environments/staging/deploys`);
  await expect(page.getByTestId('live-state')).toHaveText('live', { timeout: 20_000 });
  const runsBefore = await deployRunCount('staging');
  const since = Date.now();
  const form = page.getByTestId('deploy-form');
  await form.getByLabel('Git ref').fill('main');
  await form.getByRole('button', { name: 'Deploy' }).click();

  const preview = form.getByTestId('deploy-preview');
  await expect(preview).toHaveAttribute('data-status', 'ahead');
  await expect(preview.getByTestId('deploy-preview-summary')).toHaveText(`${newer.length} new commits`);
  await expect(preview.locator('li[data-commit]')).toHaveCount(newer.length);
  await expect(preview.locator('li[data-commit]').first()).toHaveAttribute('data-commit', newer[0].sha);
  await expect(preview.locator('li[data-commit]').first()).toContainText(newer[0].message.split('\n')[0]);
  await expect(preview.getByTestId('deploy-image')).toHaveAttribute('data-exists', 'false');
  await expect(page.getByTestId('undo-toast')).toContainText('Deploying main in');
  await page.getByTestId('undo-toast').getByRole('button', { name: 'Cancel' }).click();
  await expect(form.getByTestId('action-outcome')).toHaveText('cancelled: nothing was done');
  // Past the window on the page's clock: no dispatch reached GitHub, no audit record.
  const actionRequests = recordActionRequests(page);
  await page.clock.runFor(PAST_THE_WINDOW_MS);
  expect(actionRequests(), 'no action request left the page').toEqual([]);
  await expect(form.getByTestId('action-outcome')).toHaveText('cancelled: nothing was done');
  expect(await deployRunCount('staging')).toBe(runsBefore);
  expect(await auditSince(since, 'staging')).toEqual([]);

  // A ref GitHub does not know: no confirmation at all, and the reason.
  await form.getByLabel('Git ref').fill('release/never');
  await form.getByRole('button', { name: 'Deploy' }).click();
  await expect(form.getByTestId('deploy-preview-problem')).toContainText(
    'GitHub knows no branch, tag or commit "release/never"',
  );
  await expect(page.getByTestId('undo-toast')).toHaveCount(0);
});

test('rollback preview: the image, CPU and memory a production rollback changes, and the setting the older worker lacks', async ({
  page,
}) => {
  const repository = demoRepository();
  const [, , , previous, running] = DEPLOYED_COMMITS.production;
  await page.goto(`${baseURL()}/environments/production/services/api`);
  await expect(page.getByTestId('live-state')).toHaveText('live', { timeout: 20_000 });
  const preview = page.getByTestId('rollback-preview');
  await expect(preview.locator('[data-change="image"]')).toContainText(
    `${repository.commits[running].sha.slice(0, 12)} → ${repository.commits[previous].sha.slice(0, 12)}`,
  );
  await expect(preview.locator('[data-change="digest"]')).toContainText('sha256:');
  await expect(preview.locator('[data-change="cpu"]')).toHaveText('CPU 512 → 256');
  await expect(preview.locator('[data-change="memory"]')).toHaveText('memory 1024 → 512 MiB');
  await expect(preview.locator('[data-change="secrets"]')).toHaveCount(0); // the same secrets in every revision

  await page.goto(`${baseURL()}/environments/staging/services/worker`);
  await expect(page.getByTestId('live-state')).toHaveText('live', { timeout: 20_000 });
  await expect(page.getByTestId('rollback-preview').locator('[data-change="environment"]')).toHaveText(
    'worker environment removed: PDF_DEFAULT_MARGIN_MM',
  );
  await expect(page.getByTestId('rollback-preview').locator('[data-change="cpu"]')).toHaveCount(0);
});

test.describe('as a viewer', () => {
  test.use({ storageState: authState('viewer') });
  test('no action buttons anywhere, and a forged POST answers 403', async ({ page }) => {
    for (const path of [
      '/environments/staging',
      '/environments/staging/services/api',
      '/environments/staging/queues/pdf',
      '/environments/staging/deploys',
    ]) {
      await page.goto(`${baseURL()}${path}`);
      await expect(page.getByTestId('live-state')).toHaveText('live', { timeout: 20_000 });
      await expect(
        page.locator(
          '[data-testid^="actions-"], [data-testid="queue-actions"], [data-testid="rollback"], [data-testid="deploy-form"], [data-testid="job-actions"]',
        ),
      ).toHaveCount(0);
      await expect(
        page.getByRole('button', { name: /^(Redeploy|Scale|Roll back|Deploy|Retry|Retry all failed|Remove)$/ }),
      ).toHaveCount(0);
    }
    const before = (await deployments('staging', 'api')).map((d) => d.id);
    const since = Date.now();
    const forged = await page.request.post(`${baseURL()}/api/environments/staging/services/api`, {
      headers: { origin: baseURL(), 'idempotency-key': `forged-by-a-viewer-${since}` },
      data: { action: 'redeploy' },
    });
    expect(forged.status()).toBe(403);
    // Nothing happened upstream, and the refusal is on record.
    expect((await deployments('staging', 'api')).map((d) => d.id)).toEqual(before);
    // (Refused before its body is read: the record names the route's kind of action, not the body's.)
    expect(await auditSince(since, 'staging')).toMatchObject([
      { action: 'service', target: 'api', result: 'refused', status: 403 },
    ]);
  });
});
