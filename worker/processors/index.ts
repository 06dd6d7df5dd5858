import type { Job } from 'bullmq';
import type { JobDataOf, JobKind, JobResult } from '../../contracts/jobs.js';
import { processPdf } from './pdf.js';
import type { ProcessorDeps } from './render.js';
import { processScrape } from './scrape.js';
import { processScreenshot } from './screenshot.js';

export type { ProcessorDeps } from './render.js';

/** A job of one kind, its data checked against the contract (worker.ts parses it once, before the processor runs). */
export type KindJob<K extends JobKind> = Job<JobDataOf<K>, JobResult, K>;

export type Processor<K extends JobKind> = (
  deps: ProcessorDeps,
  job: KindJob<K>,
  signal: AbortSignal,
) => Promise<JobResult>;

/** One typed processor per job kind. */
export const PROCESSORS: { [K in JobKind]: Processor<K> } = {
  screenshot: processScreenshot,
  pdf: processPdf,
  scrape: processScrape,
};
