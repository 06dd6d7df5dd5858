import type { Job } from 'bullmq';
import { artifactKey, ScreenshotInput, type JobResult } from '../contract.js';
import { parseInput, renderPage, timings, type ProcessorDeps } from './render.js';

export async function processScreenshot(deps: ProcessorDeps, job: Job, signal: AbortSignal): Promise<JobResult> {
  const input = parseInput(ScreenshotInput, job.data.input);
  const started = performance.now();
  const rendered = await renderPage(deps, job, input.url, { viewport: input.viewport }, signal, (page) =>
    page.screenshot({ type: 'png', fullPage: input.fullPage }),
  );
  const uploadStarted = performance.now();
  const artifact = await deps.store.put(artifactKey(job.id!, 'screenshot.png'), rendered.value, 'image/png');
  return {
    kind: 'screenshot',
    finalUrl: rendered.finalUrl,
    artifact,
    timings: timings(rendered, uploadStarted, started),
  };
}
