/**
 * Every page, light and dark, on a laptop and on a 390 px phone: a screenshot for people to
 * look at (in screenshots/, README "The dashboard"), nothing wider than the screen, and axe
 * with no serious or critical violation on the laptop (axe judges the document, colours and
 * names, which the phone's layout does not change; the phone's layout is checked by width).
 * Its own seeded platform and control plane (the own-platform project, playwright.config.ts):
 * it adds a job and breaks a target, and runs beside the files on the shared platform.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  controlEmulator,
  LOCAL_USERS,
  repoPath,
  startControlPlane,
  startSeededPlatform,
  type SeededPlatform,
} from '../../scripts/platform';
import { signInInBrowser } from '../support/browser-sign-in';
import { startLoggingApi, stagingRedisUrl } from '../support/logging-api';

const SCREENSHOTS = repoPath('screenshots');
/** A job for the job page to show: added before the tests, delayed (no worker takes it). */
const SCREENS_JOB_ID = 'screens-job';

let stateDir: string;
let platform: SeededPlatform;
let controlPlane: Awaited<ReturnType<typeof startControlPlane>>;
let api: Awaited<ReturnType<typeof startLoggingApi>> | undefined;
/** The operator's session on this file's control plane (its session key is its own). */
const operatorState = () => path.join(stateDir, 'operator.json');
const baseURL = () => controlPlane.url;

/** A queue of this platform's staging, on a connection of its own (BullMQ leaves a given connection open). */
function stagingQueue(name: string): Queue {
  return new Queue(name, {
    connection: new Redis(stagingRedisUrl(platform.registryFile), { maxRetriesPerRequest: null }),
  });
}
async function closeQueue(queue: Queue): Promise<void> {
  await queue.close();
  (queue.opts.connection as Redis).disconnect();
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  stateDir = mkdtempSync(path.join(tmpdir(), 'pilothouse-screens-'));
  platform = await startSeededPlatform({ stateDir, step: () => () => {}, taskStepSeconds: 0.2 });
  controlPlane = await startControlPlane(platform, { step: () => () => {} });
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  await signInInBrowser(await context.newPage(), controlPlane.url, LOCAL_USERS.operator.login);
  await context.storageState({ path: operatorState() });
  await context.close();
  // Real lines for the logs page: the api's start-up, and a request or two, error lines among them.
  api = await startLoggingApi({ emulatorUrl: platform.emulator.url, registryFile: platform.registryFile });
  await fetch(`${api.url}/api/health/`);
  await fetch(`${api.url}/api/jobs`, { method: 'POST' }); // refused: no key, logged as the api logs it
  const queue = stagingQueue('screenshot');
  const data = {
    kind: 'screenshot',
    input: { url: 'https://example.com/screens' },
    owner: 'screens-test',
    createdAt: new Date().toISOString(),
  };
  await queue.add('screenshot', data, { jobId: SCREENS_JOB_ID, delay: 3_600_000 });
  await closeQueue(queue);
});
test.afterAll(async () => {
  await api?.stop();
  await controlPlane?.stop();
  await platform?.stop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});
const PAGES = [
  { name: 'overview', path: '/' },
  { name: 'environment-staging', path: '/environments/staging' },
  { name: 'environment-production', path: '/environments/production' },
  { name: 'service-staging-api', path: '/environments/staging/services/api' },
  { name: 'logs-staging-api', path: '/environments/staging/services/api/logs?range=1h', live: false },
  { name: 'tail-staging-api', path: '/environments/staging/services/api/logs/tail', live: false },
  { name: 'queue-staging-screenshot', path: '/environments/staging/queues/screenshot' },
  { name: 'deploys-production', path: '/environments/production/deploys' },
  { name: 'timeline-staging', path: '/environments/staging/timeline?range=6h' },
  // Pages without a live view: nothing to wait for but the page.
  { name: 'audit', path: '/audit', live: false },
  { name: 'job-staging', path: `/environments/staging/queues/screenshot/jobs/${SCREENS_JOB_ID}`, live: false },
  { name: 'job-search-staging', path: `/environments/staging/jobs?q=${SCREENS_JOB_ID}`, live: false },
  { name: 'not-found', path: '/environments/nowhere', live: false, status: 404 },
  { name: 'sign-in-refused', path: '/signin/refused', live: false },
];
const VIEWPORTS = [
  { name: 'desktop', width: 1440, height: 900, axe: true },
  { name: 'phone', width: 390, height: 844, axe: false },
];

for (const scheme of ['light', 'dark'] as const) {
  for (const viewport of VIEWPORTS) {
    test(`every page, ${scheme}, ${viewport.name}: screenshot,${viewport.axe ? ' axe,' : ''} no overflow`, async ({
      browser,
    }) => {
      test.setTimeout(180_000); // twelve pages, each loaded, drawn and run through axe
      mkdirSync(SCREENSHOTS, { recursive: true });
      const context = await browser.newContext({
        storageState: operatorState(),
        colorScheme: scheme,
        viewport: { width: viewport.width, height: viewport.height },
      });
      try {
        const page = await context.newPage();
        // A hydration mismatch (React #418) throws here, and leaves links dead until React recovers.
        const errors: string[] = [];
        page.on('pageerror', (error) => errors.push(error.message));
        page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
        for (const target of PAGES) {
          const response = await page.goto(`${baseURL()}${target.path}`);
          expect(response!.status(), target.name).toBe(target.status ?? 200);
          // The browser reports the page's own 404 as a console error: that one is expected.
          if (target.status === 404) errors.splice(0, errors.length, ...errors.filter((e) => !/status of 404/.test(e)));
          if (target.live !== false)
            await expect(page.getByTestId('live-state').first()).toHaveText('live', { timeout: 20_000 });
          // Charts load after the page (uPlot is lazy): the screenshot is for people, so it waits for them.
          await expect(
            page.locator('[data-testid="chart"]:not(:has(canvas)), [data-testid="timeline-row"]:not(:has(canvas))'),
          ).toHaveCount(0);
          await page.screenshot({
            path: path.join(SCREENSHOTS, `${target.name}-${scheme}-${viewport.name}.png`),
            fullPage: true,
          });

          if (viewport.axe) {
            const { violations } = await new AxeBuilder({ page })
              .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
              .analyze();
            const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
            expect(
              serious.map(
                (v) =>
                  `${v.id}: ${v.nodes
                    .slice(0, 3)
                    .map((n) => n.target.join(' '))
                    .join(', ')}`,
              ),
              `${target.name} ${scheme} ${viewport.name}`,
            ).toEqual([]);
          }

          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          expect(width, `${target.name} is wider than the ${viewport.name} screen`).toBeLessThanOrEqual(viewport.width);
          expect(errors, `${target.name}: errors in the browser`).toEqual([]);
        }
      } finally {
        await context.close();
      }
    });
  }
}

for (const scheme of ['light', 'dark'] as const) {
  test(`the previews with their confirmation, ${scheme}: deploy (commits, image) and rollback (task definition difference)`, async ({
    browser,
  }) => {
    const context = await browser.newContext({
      storageState: operatorState(),
      colorScheme: scheme,
      viewport: { width: 1440, height: 900 },
    });
    try {
      const page = await context.newPage();
      await page.goto(`${baseURL()}/environments/production/deploys`);
      await expect(page.getByTestId('live-state')).toHaveText('live', { timeout: 20_000 });
      const form = page.getByTestId('deploy-form');
      await form.getByLabel('Git ref').fill('main');
      await form.getByRole('button', { name: 'Deploy' }).click();
      await expect(form.getByTestId('deploy-preview')).toBeVisible();
      await expect(form.getByTestId('typed-confirmation')).toBeVisible();
      await form.screenshot({ path: path.join(SCREENSHOTS, `preview-deploy-${scheme}.png`) });
      const deployAxe = await new AxeBuilder({ page })
        .include('[data-testid="deploy-form"]')
        .withTags(['wcag2a', 'wcag2aa'])
        .analyze();
      expect(
        deployAxe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id),
      ).toEqual([]);

      await page.goto(`${baseURL()}/environments/production/services/api`);
      await expect(page.getByTestId('live-state')).toHaveText('live', { timeout: 20_000 });
      await expect(page.getByTestId('rollback-preview')).toBeVisible();
      await page
        .getByTestId('panel-revisions')
        .screenshot({ path: path.join(SCREENSHOTS, `preview-rollback-${scheme}.png`) });
      const rollbackAxe = await new AxeBuilder({ page })
        .include('[data-testid="panel-revisions"]')
        .withTags(['wcag2a', 'wcag2aa'])
        .analyze();
      expect(
        rollbackAxe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id),
      ).toEqual([]);
    } finally {
      await context.close();
    }
  });
}

test('the keeping-up panel, light and dark: a queue with jobs and no worker, the others idle', async ({ browser }) => {
  const queue = stagingQueue('pdf');
  try {
    await queue.addBulk(Array.from({ length: 6 }, (_, i) => ({ name: 'pdf', data: { n: i } })));
    for (const scheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({
        storageState: operatorState(),
        colorScheme: scheme,
        viewport: { width: 1440, height: 900 },
      });
      const page = await context.newPage();
      await page.goto(`${baseURL()}/environments/staging`);
      await expect(page.locator('[data-queue="pdf"]').getByTestId('queue-signal')).toBeVisible({ timeout: 20_000 });
      await page.getByTestId('panel-queues').screenshot({ path: path.join(SCREENSHOTS, `keeping-up-${scheme}.png`) });
      const { violations } = await new AxeBuilder({ page })
        .include('[data-testid="panel-queues"]')
        .withTags(['wcag2a', 'wcag2aa'])
        .analyze();
      expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
      await context.close();
    }
  } finally {
    await queue.obliterate({ force: true });
    await closeQueue(queue);
  }
});

test('the theme toggle overrides the system and persists across pages', async ({ browser }) => {
  const context = await browser.newContext({ storageState: operatorState(), colorScheme: 'light' });
  const page = await context.newPage();
  await page.goto(`${baseURL()}/`);
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const light = await background();
  await page.getByRole('group', { name: 'Colour theme' }).getByRole('button', { name: 'dark' }).click();
  await expect.poll(background).not.toBe(light);
  const dark = await background();
  await page.goto(`${baseURL()}/environments/staging`);
  expect(await background()).toBe(dark);
  await expect(page.getByRole('button', { name: 'dark' })).toHaveAttribute('aria-pressed', 'true');
  await context.close();
});

test('the diagnosis panel during a fault, light and dark, desktop and 390 px: a target failing its health checks', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const registry = JSON.parse(readFileSync(platform.registryFile, 'utf8')) as {
    environments: { name: string; alb: { targetGroupArns: { api: string } } }[];
  };
  const targetGroupArn = registry.environments.find((e) => e.name === 'staging')!.alb.targetGroupArns.api;
  const fault = { targetGroupArn, targetId: '10.10.10.11' };
  await controlEmulator(platform.emulator.url, 'elbv2/target-health', {
    ...fault,
    state: 'unhealthy',
    reason: 'Target.ResponseCodeMismatch',
    description: 'Health checks failed with these codes: [502]',
  });
  try {
    for (const scheme of ['light', 'dark'] as const) {
      for (const viewport of VIEWPORTS) {
        const context = await browser.newContext({
          storageState: operatorState(),
          colorScheme: scheme,
          viewport: { width: viewport.width, height: viewport.height },
        });
        const page = await context.newPage();
        await page.goto(`${baseURL()}/environments/staging`);
        const panel = page.getByTestId('panel-diagnosis');
        await expect(panel.getByTestId('top-suspect')).toContainText('target 10.10.10.11:8000', { timeout: 20_000 });
        await expect(panel.getByTestId('top-suspect')).toHaveAttribute('data-kind', 'target');
        await page.screenshot({ path: path.join(SCREENSHOTS, `diagnosis-staging-${scheme}-${viewport.name}.png`) });
        if (viewport.axe) {
          const { violations } = await new AxeBuilder({ page })
            .include('[data-testid="panel-diagnosis"]')
            .withTags(['wcag2a', 'wcag2aa'])
            .analyze();
          expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual(
            [],
          );
        }
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        expect(width).toBeLessThanOrEqual(viewport.width);
        await context.close();
      }
    }
  } finally {
    await controlEmulator(platform.emulator.url, 'elbv2/target-health', {
      ...fault,
      state: 'healthy',
    });
  }
});
