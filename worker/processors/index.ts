import type { Job } from 'bullmq';
import type { JobKind, JobResult } from '../../contracts/jobs.js';
import { processPdf } from './pdf.js';
import type { ProcessorDeps } from './render.js';
import { processScrape } from './scrape.js';
import { processScreenshot } from './screenshot.js';

export type { ProcessorDeps } from './render.js';

/** One typed processor per job kind. */
export const PROCESSORS: Record<JobKind, (deps: ProcessorDeps, job: Job, signal: AbortSignal) => Promise<JobResult>> = {
  screenshot: processScreenshot,
  pdf: processPdf,
  scrape: processScrape,
};
