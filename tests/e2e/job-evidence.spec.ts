/**
 * A failed browser job's page: a real worker (the built `worker` service) fails a screenshot job
 * on a page whose load never completes (a navigation timeout) three times; the job page shows each attempt's screenshot (loaded through its
 * presigned link), console error and failed request, and the trace downloads and opens in
 * Playwright's own trace viewer (served here from playwright-core, with the downloaded file).
 */
import { expect, test } from '@playwright/test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  EMULATOR_CREDENTIALS,
  repoPath,
  artifactsBucket,
  SEEDED,
  buildServices,
  startWorker,
  taskLogDestination,
  type ServiceProcess,
  startTargetSite,
  type TargetSite,
} from '../../scripts/platform';
import { DEFAULT_JOB_OPTIONS } from '../../contracts/jobs';
import { stagingRedisUrl } from '../support/logging-api';

const baseURL = () => process.env.PILOTHOUSE_E2E_URL!;

let site: TargetSite;
let worker: ServiceProcess;
let queue: Queue;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  await buildServices();
  site = await startTargetSite();
  // It stands in for one of staging's worker tasks: what it writes reaches the emulator's CloudWatch Logs.
  const logs = await taskLogDestination({
    emulatorUrl: process.env.PILOTHOUSE_E2E_EMULATOR_URL!,
    region: SEEDED.staging.region,
    cluster: 'pilothouse-staging',
    role: 'worker',
  });
  worker = await startWorker(
    {
      REDIS_URL: stagingRedisUrl(),
      ARTIFACTS_BUCKET: artifactsBucket('staging'),
      AWS_REGION: SEEDED.staging.region,
      AWS_ENDPOINT_URL: process.env.PILOTHOUSE_E2E_EMULATOR_URL!,
      AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
      WORKER_URL_ALLOWLIST: site.host,
      WORKER_CONCURRENCY: '1',
      JOB_TIMEOUT_MS: '8000', // navigation gets 6 s of it; Chromium's cold start fits in the rest
      ENVIRONMENT: 'staging',
    },
    { logs },
  );
  queue = new Queue('screenshot', { connection: new Redis(stagingRedisUrl(), { maxRetriesPerRequest: null }) });
});
test.afterAll(async () => {
  await worker?.stop();
  await queue?.close();
  await site?.close();
});

test('a failed browser job’s page shows the page at failure, its console error and failed request, and a trace that opens in the trace viewer', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const id = `screenshot-${randomUUID()}`;
  const job = await queue.add(
    'screenshot',
    {
      kind: 'screenshot',
      input: { url: `${site.url}/hanging`, fullPage: true },
      owner: 'e2e',
      createdAt: new Date().toISOString(),
    },
    { ...DEFAULT_JOB_OPTIONS, jobId: id },
  );
  await expect.poll(() => job.getState().then((s) => s), { timeout: 60_000 }).toBe('failed');

  await page.goto(`${baseURL()}/environments/staging/queues/screenshot/jobs/${id}`);
  await expect(page.getByTestId('job-log')).toContainText('attempt 3: failed');
  // The worker's own lines for this job, from CloudWatch Logs: each attempt started and failed.
  const lines = page.getByTestId('panel-worker-lines');
  await expect(async () => {
    await page.reload();
    await expect(lines.locator('[data-log-line]').filter({ hasText: 'job failed' })).toHaveCount(3, { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await expect(lines.locator('[data-log-line]').filter({ hasText: 'job started' })).toHaveCount(3);
  await expect(lines.locator('[data-log-line][data-level="error"]').first()).toContainText(id);
  const panel = page.getByTestId('panel-evidence');
  // The job's own timeout can mark it failed while the last attempt's evidence is still being written.
  await expect(async () => {
    await page.reload();
    await expect(panel.locator('section[data-attempt]')).toHaveCount(3, { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  const latest = panel.locator('section[data-attempt="3"]');
  await expect(latest.getByTestId('evidence-error')).toContainText('Timeout 6000ms exceeded');
  await expect(latest.getByTestId('console-errors')).toContainText(
    'checkout widget failed: TypeError: cart is undefined',
  );
  await expect(latest.getByTestId('failed-requests')).toContainText(`GET ${site.url}/missing.png`);
  await expect(latest.getByTestId('failed-requests')).toContainText('404');
  const screenshot = latest.getByTestId('failure-screenshot');
  await screenshot.scrollIntoViewIfNeeded();
  await expect
    .poll(() => screenshot.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBeGreaterThan(100);
  await page.screenshot({ path: repoPath('screenshots', 'failed-job-light.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: repoPath('screenshots', 'failed-job-dark.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });

  const download = page.waitForEvent('download');
  await latest.getByTestId('trace-link').click();
  const file = await (await download).path();
  expect(readFileSync(file).subarray(0, 2).toString()).toBe('PK');

  // Playwright's trace viewer, from playwright-core, on a local port with the downloaded trace.
  const viewerDir = repoPath('node_modules/playwright-core/lib/vite/traceViewer');
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://viewer');
    if (url.pathname === '/trace.zip')
      return void res.writeHead(200, { 'content-type': 'application/zip' }).end(readFileSync(file));
    const target = path.join(viewerDir, path.normalize(url.pathname).replace(/^[/\\]+/, '') || 'index.html');
    if (!target.startsWith(viewerDir)) return void res.writeHead(404).end();
    try {
      const type = target.endsWith('.html')
        ? 'text/html'
        : target.endsWith('.js')
          ? 'text/javascript'
          : target.endsWith('.css')
            ? 'text/css'
            : 'application/octet-stream';
      res.writeHead(200, { 'content-type': type }).end(readFileSync(target));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const viewer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const tracePage = await page.context().newPage();
    await tracePage.goto(`${viewer}/index.html?trace=${encodeURIComponent(`${viewer}/trace.zip`)}`);
    // The trace's actions: the navigation to the page that never loaded (and the screenshot taken of it).
    await expect(tracePage.getByText(/\/hanging$/).first()).toBeVisible({ timeout: 30_000 });
    await expect(tracePage.getByText('Navigate', { exact: true })).toBeVisible();
    await tracePage.screenshot({ path: repoPath('screenshots', 'failed-job-trace.png') });
    await tracePage.close();
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
