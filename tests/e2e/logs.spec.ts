/**
 * A service's logs in the browser, from what the real `api` wrote: the built api runs here,
 * standing in for one of staging's running api tasks, and ships its output into the emulator's
 * CloudWatch Logs as the awslogs driver would. From the service page's task row to the task's
 * logs, a search, a permalink to a line, and bad input answered clearly.
 */
import { expect, test } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { startLoggingApi } from '../support/logging-api';
import { authState } from './global-setup';

const baseURL = () => process.env.PILOTHOUSE_E2E_URL!;
let api: Awaited<ReturnType<typeof startLoggingApi>>;

test.use({ storageState: authState('viewer') });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  api = await startLoggingApi();
});
test.afterAll(async () => {
  await api?.stop();
});

test('from a task row to its logs: a line the api wrote, found by search, and its permalink', async ({ page }) => {
  const marker = randomUUID();
  await fetch(`${api.url}/api/health/?marker=${marker}`);

  await page.goto(`${baseURL()}/environments/staging/services/api`);
  await page.locator(`[data-task="${api.taskId}"] a`).click();
  await expect(page).toHaveURL(new RegExp(`/services/api/logs\\?task=${api.taskId}`));
  await expect(page.getByTestId('log-scope')).toContainText(`task ${api.taskId}`);

  await page.getByTestId('log-search-input').fill(marker);
  // The forwarder ships within a second: search until the line is in.
  await expect(async () => {
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page.locator('[data-log-line]').first()).toContainText(marker, { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  const lines = page.locator('[data-log-line]');
  for (const text of await lines.allTextContents()) expect(text).toContain(marker);

  // The line's time is its permalink: it opens on the lines around it, with it marked.
  const first = lines.first();
  const id = await first.getAttribute('data-log-line');
  await first.locator('time').click();
  await expect(page).toHaveURL(/[?&]at=.*&line=/);
  await expect(page.locator(`[data-log-line="${id}"]`)).toHaveAttribute('aria-current', 'true');
});

test('the live tail: a line the api writes appears while the page is open; filter as you type; pause holds the view', async ({
  page,
}) => {
  await page.goto(`${baseURL()}/environments/staging/services/api/logs`);
  await page.getByTestId('log-tail-link').click();
  await expect(page.getByTestId('tail-state')).toHaveAttribute('data-state', 'live', { timeout: 10_000 });
  const lines = page.getByTestId('tail-lines').locator('[data-log-line]');
  const marker = randomUUID();
  await fetch(`${api.url}/api/health/?marker=${marker}`);
  // The forwarder ships within 250 ms and the one reader reads every second (lib/log-tail.ts).
  await expect(lines.filter({ hasText: marker })).toHaveCount(1, { timeout: 5_000 }); // the request's line (its URL)

  await page.getByTestId('tail-filter').fill(marker);
  await expect(lines).toHaveCount(1);
  for (const text of await lines.allTextContents()) expect(text).toContain(marker);

  await page.getByTestId('tail-pause').click();
  const later = randomUUID();
  await page.getByTestId('tail-filter').fill('');
  const shown = await lines.count();
  await fetch(`${api.url}/api/health/?marker=${later}`);
  await expect(page.getByTestId('tail-pause')).toContainText(/Resume \(\d+ new\)/, { timeout: 5_000 });
  expect(await lines.count()).toBe(shown);
  await page.getByTestId('tail-pause').click();
  await expect(lines.filter({ hasText: later })).toHaveCount(1);
});

test('bad input gets a clear message on the page and a 400 from the route, and no scan', async ({ page, request }) => {
  await page.goto(
    `${baseURL()}/environments/staging/services/api/logs?mode=pattern&q=${encodeURIComponent('%(a+)+$%')}`,
  );
  await expect(page.getByTestId('log-search-problem')).toContainText('exponential time');
  await expect(page.getByTestId('log-results')).toHaveCount(0);

  const route = `${baseURL()}/api/environments/staging/services/api/logs`;
  for (const [query, message] of [
    [`from=2026-12-05T10:00:00Z&to=2026-12-05T09:00:00Z`, /from: must be before to/],
    [`mode=pattern&q=${'x'.repeat(2_000)}`, /at most 1024/],
    [`task=${'f'.repeat(32)}`, /no task f{32} of api has written/],
    [`from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z`, /at most 14 days/],
    [`limit=100000`, /limit/],
  ] as const) {
    const res = await request.get(`${route}?${query}`);
    expect(res.status(), query.slice(0, 60)).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
  }
  expect((await request.get(`${baseURL()}/api/environments/staging/services/db/logs`)).status()).toBe(404);
});
