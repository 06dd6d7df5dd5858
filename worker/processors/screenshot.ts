import { artifactKey, MAX_SCREENSHOT_HEIGHT_PX, type JobResult } from '../../contracts/jobs.js';
import type { KindJob } from './index.js';
import { renderPage, timings, type ProcessorDeps } from './render.js';

export async function processScreenshot(
  deps: ProcessorDeps,
  job: KindJob<'screenshot'>,
  signal: AbortSignal,
): Promise<JobResult> {
  const { input } = job.data;
  const started = performance.now();
  const rendered = await renderPage(deps, job, input.url, { viewport: input.viewport }, signal, async (page) => {
    if (!input.fullPage) return { png: await page.screenshot({ type: 'png' }), truncated: false };
    // A page can be endlessly tall: capture at most MAX_SCREENSHOT_HEIGHT_PX of it.
    const height = await page.evaluate(() =>
      Math.max(document.documentElement.scrollHeight, document.body?.scrollHeight ?? 0),
    );
    if (height <= MAX_SCREENSHOT_HEIGHT_PX)
      return { png: await page.screenshot({ type: 'png', fullPage: true }), truncated: false };
    const clip = { x: 0, y: 0, width: input.viewport.width, height: MAX_SCREENSHOT_HEIGHT_PX };
    return { png: await page.screenshot({ type: 'png', fullPage: true, clip }), truncated: true };
  });
  const uploadStarted = performance.now();
  const artifact = await deps.store.put(artifactKey(job.id!, 'screenshot.png'), rendered.value.png, 'image/png');
  return {
    kind: 'screenshot',
    finalUrl: rendered.finalUrl,
    artifact,
    ...(rendered.value.truncated
      ? {
          truncated: [
            `page taller than ${MAX_SCREENSHOT_HEIGHT_PX} px: captured the top ${MAX_SCREENSHOT_HEIGHT_PX} px`,
          ],
        }
      : {}),
    timings: timings(rendered, uploadStarted, started),
  };
}
