import type { Job } from 'bullmq';
import { artifactKey, PdfInput, type JobResult } from '../../contracts/jobs.js';
import { parseInput, renderPage, timings, type ProcessorDeps } from './render.js';

export async function processPdf(deps: ProcessorDeps, job: Job, signal: AbortSignal): Promise<JobResult> {
  const input = parseInput(PdfInput, job.data.input);
  const started = performance.now();
  const rendered = await renderPage(deps, job, input.url, {}, signal, (page) =>
    page.pdf({ format: input.format, printBackground: true }),
  );
  const uploadStarted = performance.now();
  const artifact = await deps.store.put(artifactKey(job.id!, 'page.pdf'), rendered.value, 'application/pdf');
  return { kind: 'pdf', finalUrl: rendered.finalUrl, artifact, timings: timings(rendered, uploadStarted, started) };
}
