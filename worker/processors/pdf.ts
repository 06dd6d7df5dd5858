import { artifactKey, type JobResult } from '../../contracts/jobs.js';
import type { KindJob } from './index.js';
import { renderPage, timings, type ProcessorDeps } from './render.js';

export async function processPdf(deps: ProcessorDeps, job: KindJob<'pdf'>, signal: AbortSignal): Promise<JobResult> {
  const { input } = job.data;
  const started = performance.now();
  const rendered = await renderPage(deps, job, input.url, {}, signal, (page) =>
    page.pdf({ format: input.format, printBackground: true }),
  );
  const uploadStarted = performance.now();
  const artifact = await deps.store.put(artifactKey(job.id!, 'page.pdf'), rendered.value, 'application/pdf');
  return { kind: 'pdf', finalUrl: rendered.finalUrl, artifact, timings: timings(rendered, uploadStarted, started) };
}
