/**
 * Jump anywhere: Ctrl-K opens the palette, typing filters, Enter goes; any text offers the job
 * search, which finds a job by id; `/` focuses a page's search field, or opens the palette.
 */
import { expect, test } from '@playwright/test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { stagingRedisUrl } from '../support/logging-api';

const baseURL = () => process.env.PILOTHOUSE_E2E_URL!;

test('Ctrl-K jumps to a service by a few letters, and to a job by its id', async ({ page }) => {
  await page.goto(`${baseURL()}/`);
  await expect(page.getByTestId('palette-button')).toBeVisible();
  await page.keyboard.press('Control+k');
  const palette = page.getByTestId('command-palette');
  await expect(palette).toBeVisible();
  await palette.getByRole('combobox').fill('worker prod');
  await expect(palette.getByRole('option').first()).toHaveText(/worker in production/);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/environments\/production\/services\/worker$/);
  await expect(palette).toHaveCount(0);

  const queue = new Queue('pdf', { connection: new Redis(stagingRedisUrl(), { maxRetriesPerRequest: null }) });
  const job = await queue.add(
    'pdf',
    { kind: 'pdf', input: { url: 'https://shop.example.com/invoice/7' } },
    { jobId: `pdf-palette-${Date.now()}`, delay: 3_600_000 },
  );
  try {
    await page.keyboard.press('Control+k');
    await palette.getByRole('combobox').fill(job.id!);
    const find = palette.getByRole('option', { name: `Find job “${job.id}” in staging` });
    await find.click();
    await expect(page).toHaveURL(new RegExp(`/environments/staging/jobs\\?q=${job.id}$`));
    const row = page.getByTestId('job-search-results').locator(`tr[data-job="${job.id}"]`);
    await expect(row).toContainText('delayed');
    await expect(row).toContainText('https://shop.example.com/invoice/7');
    await row.getByRole('link').click();
    await expect(page).toHaveURL(new RegExp(`/environments/staging/queues/pdf/jobs/${job.id}$`));
  } finally {
    await job.remove();
    await queue.close();
  }
});

test('/ focuses the page’s search field, or opens the palette where there is none; Escape closes it', async ({
  page,
}) => {
  await page.goto(`${baseURL()}/environments/staging/jobs`);
  await page.locator('body').click({ position: { x: 5, y: 200 } });
  await page.keyboard.press('/');
  await expect(page.getByTestId('job-search-input')).toBeFocused();

  await page.goto(`${baseURL()}/environments/staging`);
  await page.locator('h1').click();
  await page.keyboard.press('/');
  await expect(page.getByTestId('command-palette')).toBeVisible();
  await expect(page.getByTestId('command-palette').getByRole('combobox')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('command-palette')).toHaveCount(0);
});
