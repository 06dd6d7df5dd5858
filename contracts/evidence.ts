/** A failed browser job's evidence: what the worker writes (worker/evidence.ts) and the job page shows. Browser-safe. */
import { z } from 'zod';

export const JobEvidenceSchema = z.object({
  jobId: z.string(),
  attempt: z.number().int(),
  url: z.string(),
  error: z.string(),
  at: z.string(),
  consoleErrors: z.array(z.object({ text: z.string(), at: z.string() })),
  failedRequests: z.array(
    z.object({
      method: z.string(),
      url: z.string(),
      status: z.number().int().nullable(),
      failure: z.string().nullable(),
    }),
  ),
  files: z.array(z.string()),
});

export type JobEvidence = z.infer<typeof JobEvidenceSchema>;

export type JobEvidenceView = JobEvidence & {
  /** Presigned, short-lived. */
  screenshotUrl: string | null;
  traceUrl: string | null;
};
