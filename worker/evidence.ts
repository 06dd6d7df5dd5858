/**
 * The evidence a failed browser job leaves for the operator, under jobs/{id}/attempt-{n}/ in
 * the artifacts bucket: failure.png (the page as it was), trace.zip (a Playwright trace: open it
 * with `npx playwright show-trace` or trace.playwright.dev), and evidence.json (the error, the
 * console errors and the requests that failed). Best effort: keeping evidence never hides or
 * replaces the job's own error.
 */
import type { Job } from 'bullmq';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { ArtifactStore } from './artifacts.js';
import type { JobEvidence } from '../contracts/evidence.js';
import { artifactKey } from '../contracts/jobs.js';

/** Console errors and failed requests kept per attempt: the first ones say most. */
const KEPT = 20;
const SCREENSHOT_TIMEOUT_MS = 5_000;

export function collectEvidence() {
  const consoleErrors: JobEvidence['consoleErrors'] = [];
  const failedRequests: JobEvidence['failedRequests'] = [];
  return {
    consoleErrors,
    failedRequests,
    watch(page: Page) {
      page.on('console', (message) => {
        if (message.type() === 'error' && consoleErrors.length < KEPT)
          consoleErrors.push({ text: message.text().slice(0, 1_000), at: new Date().toISOString() });
      });
      page.on('pageerror', (error) => {
        if (consoleErrors.length < KEPT)
          consoleErrors.push({ text: `uncaught: ${error.message}`.slice(0, 1_000), at: new Date().toISOString() });
      });
      page.on('requestfailed', (request) => {
        if (failedRequests.length < KEPT)
          failedRequests.push({
            method: request.method(),
            url: request.url().slice(0, 2_000),
            status: null,
            failure: request.failure()?.errorText ?? 'failed',
          });
      });
      page.on('response', (response) => {
        if (response.status() >= 400 && failedRequests.length < KEPT)
          failedRequests.push({
            method: response.request().method(),
            url: response.url().slice(0, 2_000),
            status: response.status(),
            failure: null,
          });
      });
    },
  };
}

const FAILED_ON_ITS_OWN = Symbol('failed before any abort');

/** Marks an error the page raised itself (before the job's timeout or a shutdown aborted it). */
export function markFailedOnItsOwn(err: unknown): void {
  if (err && typeof err === 'object') (err as Record<symbol, boolean>)[FAILED_ON_ITS_OWN] = true;
}

/** True for an error the page raised before any abort: the job records it, not the timeout that came during its evidence capture. */
export function failedOnItsOwn(err: unknown): boolean {
  return Boolean(err && typeof err === 'object' && (err as Record<symbol, boolean>)[FAILED_ON_ITS_OWN]);
}

/** The whole capture's bound: evidence must never hold a job's slot for long. */
const EVIDENCE_TIMEOUT_MS = 10_000;

export async function keepEvidence(...args: Parameters<typeof capture>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, EVIDENCE_TIMEOUT_MS)));
  await Promise.race([capture(...args), bound]).finally(() => clearTimeout(timer));
}

async function capture(
  store: ArtifactStore,
  job: Job,
  url: string,
  err: unknown,
  context: BrowserContext,
  page: Page | null,
  collected: ReturnType<typeof collectEvidence>,
): Promise<void> {
  const attempt = job.attemptsMade + 1;
  const dir = `attempt-${attempt}`;
  const tracePath = path.join(tmpdir(), `pilothouse-trace-${job.id}-${attempt}-${process.pid}.zip`);
  try {
    const screenshot = page ? await page.screenshot({ timeout: SCREENSHOT_TIMEOUT_MS }).catch(() => null) : null;
    const traced = await context.tracing.stop({ path: tracePath }).then(
      () => true,
      () => false,
    );
    const files: JobEvidence['files'] = [];
    if (screenshot)
      files.push((await store.put(artifactKey(job.id!, `${dir}/failure.png`), screenshot, 'image/png')).key);
    if (traced)
      files.push(
        (await store.put(artifactKey(job.id!, `${dir}/trace.zip`), await readFile(tracePath), 'application/zip')).key,
      );
    const evidence: JobEvidence = {
      jobId: job.id!,
      attempt,
      url,
      error: (err as Error)?.message?.slice(0, 2_000) ?? String(err),
      at: new Date().toISOString(),
      consoleErrors: collected.consoleErrors,
      failedRequests: collected.failedRequests,
      files,
    };
    await store.put(
      artifactKey(job.id!, `${dir}/evidence.json`),
      Buffer.from(JSON.stringify(evidence, null, 2)),
      'application/json',
    );
  } catch {
    // The bucket or the browser failed too: the job's own error is what BullMQ records.
  } finally {
    await rm(tracePath, { force: true }).catch(() => {});
  }
}
