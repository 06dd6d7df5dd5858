import { UnrecoverableError, type Job } from 'bullmq';
import type { BrowserContextOptions, Page } from 'playwright-core';
import type { z } from 'zod';
import type { ArtifactStore } from '../artifacts.js';
import type { BrowserSource } from '../browser.js';
import type { EgressProxy } from '../egress-proxy.js';
import { NoResponseError } from '../errors/no-response-error.js';
import { collectEvidence, keepEvidence, markFailedOnItsOwn } from '../evidence.js';
import { RefusedUrlError, type UrlGuard } from '../url-guard.js';

export type ProcessorDeps = {
  browser: BrowserSource;
  proxy: EgressProxy;
  guard: UrlGuard;
  store: ArtifactStore;
  navigationTimeoutMs: number;
};

export type Rendered<R> = { value: R; finalUrl: string; status: number; navigationMs: number; renderMs: number };

/**
 * Opens `url` in a fresh context for this job and runs `work` on the loaded page.
 * A refused URL (up front, or on any redirect) fails the job for good; a network error
 * or timeout throws plainly so BullMQ retries with backoff. Aborting `signal` closes the
 * context at once (shutdown or job timeout).
 */
export async function renderPage<R>(
  deps: ProcessorDeps,
  job: Job,
  url: string,
  contextOptions: BrowserContextOptions,
  signal: AbortSignal,
  work: (page: Page) => Promise<R>,
): Promise<Rendered<R>> {
  try {
    await deps.guard.checkUrl(url);
  } catch (err) {
    if (err instanceof RefusedUrlError) throw new UnrecoverableError(`url refused: ${err.message}`);
    throw err;
  }
  signal.throwIfAborted();
  const jobId = job.id!;
  return deps.browser.withContext(jobId, contextOptions, async (context) => {
    const closeOnAbort = () => void context.close().catch(() => {});
    signal.addEventListener('abort', closeOnAbort, { once: true });
    const evidence = collectEvidence();
    let page: Page | null = null;
    try {
      signal.throwIfAborted(); // aborted while the browser was starting
      // Traced from the start, kept only if the job fails (evidence.ts).
      await context.tracing.start({ screenshots: true, snapshots: true });
      page = await context.newPage();
      evidence.watch(page);
      page.setDefaultTimeout(deps.navigationTimeoutMs);
      const started = performance.now();
      let response: Awaited<ReturnType<Page['goto']>> = null;
      let navigationError: unknown;
      try {
        response = await page.goto(url, { waitUntil: 'load', timeout: deps.navigationTimeoutMs });
      } catch (err) {
        navigationError = err;
      }
      const refusals = deps.proxy.refusals(jobId);
      if (refusals.length && (navigationError || response?.headers()['x-pilothouse-refused'])) {
        throw new UnrecoverableError(`url refused: ${refusals[0]}`);
      }
      if (navigationError) throw navigationError;
      if (!response) throw new NoResponseError(`no response from ${url}`);
      const loaded = performance.now();
      await job.updateProgress(50);
      const value = await work(page);
      await context.tracing.stop().catch(() => {}); // succeeded: the trace is not kept
      return {
        value,
        finalUrl: page.url(),
        status: response.status(),
        navigationMs: Math.round(loaded - started),
        renderMs: Math.round(performance.now() - loaded),
      };
    } catch (err) {
      // What an operator needs to see why: the page as it was, the trace, console errors and failed
      // requests. Once it has started (the page failed on its own, not by an abort), the job's
      // timeout no longer closes the context under it: the capture has its own bound.
      if (!signal.aborted) {
        markFailedOnItsOwn(err);
        signal.removeEventListener('abort', closeOnAbort);
        await keepEvidence(deps.store, job, url, err, context, page, evidence);
      }
      throw err;
    } finally {
      signal.removeEventListener('abort', closeOnAbort);
      deps.proxy.forget(jobId);
    }
  });
}

/** Parses a job's input; bad input can never succeed, so it is not retried. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');
    throw new UnrecoverableError(`invalid job input: ${fields}`);
  }
  return parsed.data;
}

/** A result's timings, from the render and the moment the upload started. */
export function timings(rendered: { navigationMs: number; renderMs: number }, uploadStarted: number, started: number) {
  const now = performance.now();
  return {
    navigationMs: rendered.navigationMs,
    renderMs: rendered.renderMs,
    uploadMs: Math.round(now - uploadStarted),
    totalMs: Math.round(now - started),
  };
}
