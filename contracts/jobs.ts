/**
 * The queue contract between the `api` service and the `worker`: job kinds, the data each
 * takes, the result each gives, queue names and job ids. Both sides parse with these schemas:
 * the api on enqueue, the worker as the first line of each processor.
 */
import { z } from 'zod';
import { QUEUE_NAMES, type QueueName } from './platform.js';

export const JOB_KINDS = QUEUE_NAMES;
export type JobKind = QueueName;

const HttpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(2048, 'must be at most 2048 characters');

export const ScreenshotInput = z.object({
  url: HttpUrl,
  viewport: z
    .object({
      width: z.number().int().min(320).max(3840),
      height: z.number().int().min(240).max(2160),
    })
    .default({ width: 1280, height: 800 }),
  fullPage: z.boolean().default(false),
});

export const PdfInput = z.object({
  url: HttpUrl,
  format: z.enum(['A4', 'Letter', 'Legal']).default('A4'),
});

export const ScrapeInput = z.object({
  url: HttpUrl,
  selectors: z.array(z.string().min(1).max(200)).min(1).max(20),
});

export const JOB_INPUTS = { screenshot: ScreenshotInput, pdf: PdfInput, scrape: ScrapeInput } as const;
export type JobInput<K extends JobKind> = z.infer<(typeof JOB_INPUTS)[K]>;

/** What the api accepts: one of the kinds, with its input. */
export const CreateJobBody = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('screenshot'), input: ScreenshotInput }),
  z.object({ kind: z.literal('pdf'), input: PdfInput }),
  z.object({ kind: z.literal('scrape'), input: ScrapeInput }),
]);
export type CreateJobBody = z.infer<typeof CreateJobBody>;

/** What is stored as the BullMQ job's data: the input plus who asked for it. */
export const JobData = z.object({
  kind: z.enum(JOB_KINDS),
  input: z.record(z.string(), z.unknown()),
  /** The API key id that created the job; only it may read the job. */
  owner: z.string().min(1),
  createdAt: z.iso.datetime(),
});
export type JobData = z.infer<typeof JobData>;
/** A job's data once its input is checked against its kind's schema: what a processor is given. */
export type JobDataOf<K extends JobKind> = Omit<JobData, 'kind' | 'input'> & { kind: K; input: JobInput<K> };

export const Artifact = z.object({
  bucket: z.string(),
  key: z.string(),
  bytes: z.number().int().nonnegative(),
  contentType: z.string(),
});
export type Artifact = z.infer<typeof Artifact>;

export const JobResult = z.object({
  kind: z.enum(JOB_KINDS),
  finalUrl: z.string(),
  artifact: Artifact,
  /** What was cut to stay within the bounds above (a full page taller than the limit, long texts). */
  truncated: z.array(z.string()).optional(),
  /** scrape only: text of each selector's matches, and the page's links. */
  extracted: z
    .object({
      selectors: z.record(z.string(), z.array(z.string())),
      links: z.array(z.object({ text: z.string(), href: z.string() })),
    })
    .optional(),
  timings: z.object({ navigationMs: z.number(), renderMs: z.number(), uploadMs: z.number(), totalMs: z.number() }),
});
export type JobResult = z.infer<typeof JobResult>;

/** Public job ids carry their kind, so a read knows its queue without another lookup. */
export const JobId = z.string().regex(/^(screenshot|pdf|scrape)-[0-9a-f-]{36}$/, 'not a job id');

export function jobKindOf(jobId: string): JobKind {
  return jobId.slice(0, jobId.indexOf('-')) as JobKind;
}

/**
 * Bounds on what one job may produce, whatever the page does: a full-page screenshot stops
 * at this height (Chromium's own texture limit is 16384 px), scraped texts are cut at this
 * length, and no artifact larger than this is stored.
 */
export const MAX_SCREENSHOT_HEIGHT_PX = 16_384;
export const MAX_SCRAPED_TEXT_CHARS = 2_000;
export const MAX_ARTIFACT_BYTES = 25 * 1024 * 1024;

/** Where a job's artifact goes in the bucket. */
export function artifactKey(jobId: string, fileName: string): string {
  return `jobs/${jobId}/${fileName}`;
}

/** Attempts and backoff for transient failures; bad input fails at once (UnrecoverableError). */
export const DEFAULT_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1_000 },
  // Keep finished jobs long enough to be read back, but bounded so Redis does not grow.
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
} as const;
