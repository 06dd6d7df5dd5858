/**
 * The environment page: the seeded numbers, then changes made upstream (through the
 * emulator) appearing on the already open page without a reload, and 404s for unknown names.
 */
import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { expect, test } from '@playwright/test';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { readFileSync } from 'node:fs';
import { keys } from '../../contracts/keys';
import { SSM_PARAMETER_KEYS } from '../../contracts/platform';
import { controlEmulator, EMULATOR_CREDENTIALS, IMAGE_TAGS, SEEDED } from '../../scripts/platform';

const baseURL = () => process.env.PILOTHOUSE_E2E_URL!;
type RegistryEnvironment = {
  name: string;
  aws: { region: string };
  ecs: { cluster: string; services: Record<string, string> };
  alb: { targetGroupArns: { api: string } };
  queues: { redisUrl: string };
};
function registryEnvironment(name: string): RegistryEnvironment {
  const registry = JSON.parse(readFileSync(process.env.PILOTHOUSE_E2E_REGISTRY_FILE!, 'utf8')) as {
    environments: RegistryEnvironment[];
  };
  return registry.environments.find((e) => e.name === name)!;
}
/** Two live ticks (5 s each) plus the 5 s the shared cache keeps ECS and target health. */
const LIVE = { timeout: 20_000 };

test('shows the seeded environment: services with bounds, targets, queues, deploys, images and parameters', async ({
  page,
}) => {
  const spec = SEEDED.production;
  await page.goto(`${baseURL()}/environments/production`);
  await expect(page.getByRole('heading', { level: 1, name: 'production' })).toBeVisible();
  await expect(page.getByTestId('production-badge')).toBeVisible();
  for (const role of ['api', 'worker'] as const) {
    const service = page.locator(`article[data-service="${role}"]`);
    await expect(service.locator('[data-count="desired"]')).toHaveText(String(spec.desired[role]));
    await expect(service.locator('[data-count="running"]')).toHaveText(String(spec.desired[role]));
    await expect(service.locator('[data-count="bounds"]')).toHaveText(
      `${spec.bounds[role][0]}–${spec.bounds[role][1]}`,
    );
  }
  await expect(page.locator('article[data-service="worker"]')).toContainText('Scaling:');
  await expect(page.getByTestId('targets-healthy')).toHaveText(`${spec.desired.api}/${spec.desired.api} healthy`);
  await expect(page.locator('[data-queue]')).toHaveCount(3);
  await expect(page.getByTestId('panel-deployRuns')).toContainText('#8'); // production's newest run of the stand-in's history
  await expect(page.getByTestId('panel-images').locator('li')).toHaveCount(2 * IMAGE_TAGS);
  await expect(page.locator('[data-parameter]')).toHaveCount(SSM_PARAMETER_KEYS.length);
  await expect(page.getByTestId('panel-parameters')).not.toContainText('missing');
  await expect(page.getByTestId('environment-status')).toHaveAttribute('data-status', 'healthy');
});

test('follows changes live, without a reload: a rollout, a desired count, an unhealthy target, jobs waiting', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const staging = registryEnvironment('staging');
  await page.goto(`${baseURL()}/environments/staging`);
  await expect(page.getByTestId('live-state')).toHaveText('live', LIVE);
  let reloaded = false;
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) reloaded = true;
  });

  const ecs = new ECSClient({
    region: staging.aws.region,
    endpoint: process.env.PILOTHOUSE_E2E_EMULATOR_URL,
    credentials: EMULATOR_CREDENTIALS,
  });
  // A task per 3 s, as a slow rollout: in flight for several live ticks, not under one.
  await controlEmulator(process.env.PILOTHOUSE_E2E_EMULATOR_URL!, 'settings', { taskStepSeconds: 3 });
  try {
    await ecs.send(
      new UpdateServiceCommand({
        cluster: staging.ecs.cluster,
        service: staging.ecs.services.api,
        forceNewDeployment: true,
      }),
    );
    const api = page.locator('article[data-service="api"]');
    await expect(api.locator('[data-deployment]')).toHaveCount(2, LIVE);
    await expect(api.getByTestId('deployment-progress').first()).toContainText(/[0-2] of 2 running/);
    await expect(api.locator('[data-deployment]')).toHaveCount(0, { timeout: 45_000 });
  } finally {
    await controlEmulator(process.env.PILOTHOUSE_E2E_EMULATOR_URL!, 'settings', { taskStepSeconds: 0.2 });
  }

  // A desired count changed in ECS (by hand or by autoscaling): the new desired, then running following it.
  const worker = page.locator('article[data-service="worker"]');
  const desired = SEEDED.staging.desired.worker;
  await expect(worker.locator('[data-count="desired"]')).toHaveText(String(desired));
  await ecs.send(
    new UpdateServiceCommand({
      cluster: staging.ecs.cluster,
      service: staging.ecs.services.worker,
      desiredCount: desired + 1,
    }),
  );
  try {
    await expect(worker.locator('[data-count="desired"]')).toHaveText(String(desired + 1), LIVE);
    await expect(worker.locator('[data-count="running"]')).toHaveText(String(desired + 1), LIVE);
  } finally {
    await ecs.send(
      new UpdateServiceCommand({
        cluster: staging.ecs.cluster,
        service: staging.ecs.services.worker,
        desiredCount: desired,
      }),
    );
  }
  await expect(worker.locator('[data-count="running"]')).toHaveText(String(desired), LIVE);

  await controlEmulator(process.env.PILOTHOUSE_E2E_EMULATOR_URL!, 'elbv2/target-health', {
    targetGroupArn: staging.alb.targetGroupArns.api,
    targetId: '10.10.10.12',
    state: 'unhealthy',
    reason: 'Target.Timeout',
    description: 'Request timed out',
  });
  await expect(page.locator('[data-target="10.10.10.12"]')).toContainText('Target.Timeout: Request timed out', LIVE);
  await expect(page.getByTestId('environment-status')).toHaveAttribute('data-status', 'degraded');

  const queue = new Queue('pdf', { connection: new Redis(staging.queues.redisUrl, { maxRetriesPerRequest: null }) });
  try {
    await queue.pause(); // so the demo's worker does not take them first
    await queue.addBulk(Array.from({ length: 7 }, (_, i) => ({ name: 'pdf', data: { n: i } })));
    await expect(page.locator('[data-queue="pdf"] [data-count="waiting"]')).toHaveText('7', LIVE);
    await expect(page.locator('[data-queue="pdf"]')).toContainText('paused');
  } finally {
    await queue.obliterate({ force: true });
    await queue.close();
    await controlEmulator(process.env.PILOTHOUSE_E2E_EMULATOR_URL!, 'elbv2/target-health', {
      targetGroupArn: staging.alb.targetGroupArns.api,
      targetId: '10.10.10.12',
      state: 'healthy',
    });
  }
  expect(reloaded, 'the page never reloaded').toBe(false);
});

test('keeping up: jobs waiting with no worker connected raise the loud signal and make the environment down, live', async ({
  page,
}) => {
  const staging = registryEnvironment('staging');
  await page.goto(`${baseURL()}/environments/staging`);
  await expect(page.getByTestId('live-state')).toHaveText('live', LIVE);
  const card = page.locator('[data-queue="scrape"]');
  await expect(card.getByTestId('queue-signal')).toHaveCount(0);
  await expect(page.getByTestId('worker-capacity')).toContainText(
    `worker task${SEEDED.staging.desired.worker === 1 ? '' : 's'} running`,
  );

  // No worker runs in this platform: BullMQ's worker list for the queue is empty.
  const queue = new Queue('scrape', { connection: new Redis(staging.queues.redisUrl, { maxRetriesPerRequest: null }) });
  try {
    await queue.addBulk(Array.from({ length: 4 }, (_, i) => ({ name: 'scrape', data: { n: i } })));
    await expect(card.getByTestId('queue-signal')).toHaveText('4 jobs wait and no worker is connected', LIVE);
    await expect(card.getByTestId('queue-signal')).toHaveAttribute('role', 'alert');
    await expect(page.getByTestId('environment-status')).toHaveAttribute('data-status', 'down');
    await expect(page.getByTestId('environment-status')).toContainText(
      'queue scrape: 4 jobs wait and no worker is connected',
    );
  } finally {
    await queue.obliterate({ force: true });
    await queue.close();
  }
  await expect(card.getByTestId('queue-signal')).toHaveCount(0, LIVE);
});

test('the tab tells the status from the background: its title and icon follow the worst status; each environment has its colour', async ({
  page,
}) => {
  test.setTimeout(60_000); // two live waits of up to 20 s each, after the page loads
  const staging = registryEnvironment('staging');
  await page.goto(`${baseURL()}/environments/production`);
  await expect(page.getByTestId('live-state')).toHaveText('live', LIVE);
  await expect(page.getByTestId('environment-frame')).toHaveAttribute('data-colour', '#be123c');
  await expect(page.locator('link[rel="icon"][data-status]')).toHaveAttribute('data-colour', '#be123c');

  await page.goto(`${baseURL()}/environments/staging`);
  await expect(page.getByTestId('live-state')).toHaveText('live', LIVE);
  await expect(page.getByTestId('environment-frame')).toHaveAttribute('data-colour', '#0369a1');
  const icon = page.locator('link[rel="icon"][data-status]');
  await expect(icon).toHaveAttribute('data-status', 'healthy');
  await expect(page).toHaveTitle('staging · Pilothouse');
  const healthyIcon = await icon.getAttribute('href');
  expect(healthyIcon).toMatch(/^data:image\/svg\+xml,/);

  await controlEmulator(process.env.PILOTHOUSE_E2E_EMULATOR_URL!, 'elbv2/target-health', {
    targetGroupArn: staging.alb.targetGroupArns.api,
    targetId: '10.10.10.12',
    state: 'unhealthy',
    reason: 'Target.Timeout',
    description: 'Request timed out',
  });
  try {
    await expect(icon).toHaveAttribute('data-status', 'degraded', LIVE);
    await expect(page).toHaveTitle('▲ degraded · staging · Pilothouse');
    expect(await icon.getAttribute('href')).not.toBe(healthyIcon);
    expect(decodeURIComponent((await icon.getAttribute('href'))!)).toContain('fill="#f59e0b"'); // the amber dot
  } finally {
    await controlEmulator(process.env.PILOTHOUSE_E2E_EMULATOR_URL!, 'elbv2/target-health', {
      targetGroupArn: staging.alb.targetGroupArns.api,
      targetId: '10.10.10.12',
      state: 'healthy',
    });
  }
  await expect(icon).toHaveAttribute('data-status', 'healthy', LIVE);
  await expect(page).toHaveTitle('staging · Pilothouse');
});

test('the pause control freezes the view and counts the updates waiting', async ({ page }) => {
  await page.goto(`${baseURL()}/environments/staging`);
  await expect(page.getByTestId('live-state')).toHaveText('live', LIVE);
  await page.getByRole('button', { name: 'Pause updates' }).click();
  await expect(page.getByTestId('live-state')).toHaveText('paused');
  await expect(page.getByTestId('updates-waiting')).toContainText(/\d+ updates? waiting/, LIVE);
  await page.getByRole('button', { name: 'Resume updates' }).click();
  await expect(page.getByTestId('updates-waiting')).toHaveCount(0);
});

test('unknown names answer the 404 page, never a 500', async ({ page, request }) => {
  for (const path of [
    '/environments/nope',
    '/environments/STAGING',
    '/environments/staging/services/nope',
    '/environments/staging/queues/nope',
  ]) {
    const response = await page.goto(`${baseURL()}${path}`);
    expect(response!.status(), path).toBe(404);
    await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
  }
  const live = await request.get(`${baseURL()}/api/environments/nope/live`);
  expect(live.status()).toBe(404);
  expect(await live.json()).toMatchObject({ error: { code: 'not_found' } });
});

test('closing the page ends its server-side subscription', async ({ browser }) => {
  const admin = new Redis(process.env.PILOTHOUSE_E2E_REDIS_URL!);
  const subscribers = async () =>
    ((await admin.pubsub('NUMSUB', keys.liveChannel('production'))) as [string, number])[1];
  try {
    const page = await browser.newPage();
    await page.goto(`${baseURL()}/environments/production`);
    await expect(page.getByTestId('live-state')).toHaveText('live', LIVE);
    expect(await subscribers()).toBe(1);
    await page.close();
    await expect.poll(subscribers, LIVE).toBe(0);
  } finally {
    admin.disconnect();
  }
});

test('with AWS not answering, panels keep their values with the error and its age, and recover by themselves', async ({
  page,
}) => {
  // Two waits of up to 30 s (the parts' deadline, then a TTL after AWS answers): a budget, not a goal.
  test.setTimeout(90_000);
  await page.goto(`${baseURL()}/environments/staging`);
  await expect(page.getByTestId('live-state')).toHaveText('live', LIVE);
  const emulatorPid = Number(process.env.PILOTHOUSE_E2E_EMULATOR_PID);
  process.kill(emulatorPid, 'SIGSTOP'); // hung, as a dead network path is: every call times out
  try {
    const ecsError = page.locator('[data-part-error="ECS"]');
    await expect(ecsError).toContainText(/showing data from \d+[smh] ago/, { timeout: 30_000 });
    await expect(page.locator('article[data-service="api"] [data-count="desired"]')).toHaveText('2');
  } finally {
    process.kill(emulatorPid, 'SIGCONT');
  }
  await expect(page.locator('[data-part-error="ECS"]')).toHaveCount(0, { timeout: 30_000 });
});

test('charts: CPU, memory, requests and latency drawn by uPlot, the range in the URL, values at the crosshair', async ({
  page,
}) => {
  await page.goto(`${baseURL()}/environments/staging`);
  const charts = page.getByTestId('chart');
  await expect(charts.locator('canvas')).toHaveCount(4);
  const cpu = charts.first();
  // uPlot's legend shows each series' value at the cursor: CPU is a percentage with one decimal.
  // The plot area (.u-over) is measured afresh on each try: the chart resizes once uPlot has loaded.
  const over = cpu.locator('.u-over');
  await expect(async () => {
    const box = (await over.boundingBox())!;
    await over.hover({ position: { x: Math.round(box.width * 0.8), y: Math.round(box.height / 2) } });
    await over.hover({ position: { x: Math.round(box.width * 0.8) + 3, y: Math.round(box.height / 2) } });
    await expect(cpu.locator('.u-legend .u-series').nth(1).locator('.u-value')).toHaveText(/^\d+(\.\d+)?$/, {
      timeout: 500,
    });
  }).toPass({ timeout: 15_000 });

  await page.getByRole('navigation', { name: 'Chart range' }).getByRole('link', { name: '24h' }).click();
  await expect(page).toHaveURL(/[?&]range=24h/);
  await expect(
    page.getByRole('navigation', { name: 'Chart range' }).getByRole('link', { name: '24h' }),
  ).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('chart').locator('canvas')).toHaveCount(4);
});

test('the service page: deployments and events, running tasks, revisions with their image tags, its charts', async ({
  page,
}) => {
  await page.goto(`${baseURL()}/environments/staging`);
  await page.locator('article[data-service="api"] h3 a').click();
  await expect(page).toHaveURL(/\/environments\/staging\/services\/api$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('api');
  await expect(page.getByTestId('service-counts').locator('[data-count="desired"]')).toHaveText(
    String(SEEDED.staging.desired.api),
  );
  await expect(page.getByTestId('service-events').locator('li').first()).toBeVisible();
  // The emulator runs each task of the service; DescribeTasks gives each its IP.
  await expect(page.getByTestId('panel-tasks').locator('tr[data-task]')).toHaveCount(SEEDED.staging.desired.api);
  await expect(page.getByTestId('panel-tasks').locator('tr[data-task]').first()).toContainText(/\d+\.\d+\.\d+\.\d+/);
  const revisions = page.getByTestId('panel-revisions').locator('tr[data-revision]');
  await expect(revisions.first()).toContainText('running');
  expect(await revisions.count()).toBeGreaterThanOrEqual(3);
  await expect(revisions.nth(1)).toContainText(/[0-9a-f]{12}/);
  await expect(page.getByTestId('chart').locator('canvas')).toHaveCount(4);

  await page.goto(`${baseURL()}/environments/staging/services/worker`);
  await expect(page.getByTestId('chart').locator('canvas')).toHaveCount(2);
});

test('the queue page: counts, failures grouped by message with their counts, failed jobs with reason and stack, one job', async ({
  page,
}) => {
  const staging = registryEnvironment('staging');
  const connection = new Redis(staging.queues.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue('scrape', { connection });
  // Five jobs fail the way BullMQ records it: through a worker whose processor throws.
  const reasons = [
    'page.goto: net::ERR_NAME_NOT_RESOLVED',
    'page.goto: net::ERR_NAME_NOT_RESOLVED',
    'page.goto: net::ERR_NAME_NOT_RESOLVED',
    'Timeout 30000ms exceeded',
    'Timeout 30000ms exceeded',
  ];
  const worker = new Worker(
    'scrape',
    async (job) => {
      throw new Error(reasons[job.data.n as number]);
    },
    { connection: new Redis(staging.queues.redisUrl, { maxRetriesPerRequest: null }), autorun: false },
  );
  try {
    await queue.addBulk(reasons.map((_, n) => ({ name: 'scrape', data: { n, url: `https://example.com/${n}` } })));
    const failedAll = new Promise<void>((resolve) => {
      let failed = 0;
      worker.on('failed', () => {
        if (++failed === reasons.length) resolve();
      });
    });
    void worker.run();
    await failedAll;

    await page.goto(`${baseURL()}/environments/staging/queues/scrape`);
    await expect(page.getByTestId('panel-queue-counts').locator('[data-count="failed"]')).toHaveText('5', LIVE);
    // Depth over time: the queue's own backlog series (seeded minute by minute), drawn by uPlot.
    await expect(page.getByTestId('panel-queue-depth')).toContainText('Jobs waiting over time, last 3 h');
    await expect(page.getByTestId('panel-queue-depth').locator('.uplot canvas')).toBeVisible();
    const groups = page.getByTestId('panel-failure-groups').locator('tr[data-failure-group]');
    await expect(groups).toHaveCount(2);
    await expect(groups.nth(0)).toContainText('net::ERR_NAME_NOT_RESOLVED');
    await expect(groups.nth(0).locator('[data-count="group"]')).toHaveText('3');
    await expect(groups.nth(1).locator('[data-count="group"]')).toHaveText('2');
    await expect(page.getByTestId('panel-failed-jobs').locator('tr[data-job]')).toHaveCount(5);

    await page.getByTestId('panel-failed-jobs').locator('tr[data-job] a').first().click();
    await expect(page).toHaveURL(/\/queues\/scrape\/jobs\/[^/]+$/);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('failed');
    await expect(page.getByTestId('failed-reason')).toHaveText(/ERR_NAME_NOT_RESOLVED|Timeout/);
    await expect(page.getByTestId('job-data')).toContainText('https://example.com/');
    await expect(page.getByText(/Stack \(1 attempt\)/)).toBeVisible();

    const missing = await page.goto(`${baseURL()}/environments/staging/queues/scrape/jobs/999999`);
    expect(missing!.status()).toBe(404);
  } finally {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
  }
});

test("the deploys page: runs with result, ref, actor and duration; a chosen run's jobs and steps; the ECS deployments beside them", async ({
  page,
}) => {
  await page.goto(`${baseURL()}/environments/staging`);
  await page.getByRole('link', { name: 'All deploys →' }).click();
  await expect(page).toHaveURL(/\/environments\/staging\/deploys$/);
  const runs = page.getByTestId('panel-runs').locator('tr[data-run]');
  // The stand-in's history: four runs per environment, an hour apart, staging's first (#1, #3, #5, #7), production's after (#2 … #8).
  await expect(runs).toHaveCount(4);
  await expect(runs.first()).toContainText('#7');
  await expect(runs.first()).toContainText('octocat');
  await expect(runs.first().getByRole('link', { name: 'GitHub ↗' })).toHaveAttribute('href', /\/actions\/runs\/\d+/);
  await expect(page.getByTestId('panel-run-jobs').locator('li[data-run-job]').first()).toBeVisible();

  await runs.nth(2).getByRole('link', { name: /#\d+/ }).click();
  await expect(page).toHaveURL(/[?&]run=\d+/);
  await expect(runs.nth(2)).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('panel-run-jobs').locator('ol li').first()).toBeVisible();
  await expect(page.getByTestId('panel-ecs-deployments').locator('[data-deployment]')).toHaveCount(2);
});
