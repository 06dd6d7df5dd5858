/** The github DTOs: plain zod schemas, browser-safe (no server-only), so live payloads are checked in the browser too. */
import { z } from 'zod';

export const DeployRunSchema = z.object({
  id: z.number(),
  runNumber: z.number().nullable(),
  title: z.string(),
  status: z.string().nullable(),
  conclusion: z.string().nullable(),
  /** What was deployed: the workflow's `ref` input (from the run's title), else the branch it ran on. */
  ref: z.string().nullable(),
  imageTag: z.string().nullable(),
  sha: z.string(),
  actor: z.string().nullable(),
  event: z.string(),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  /** Until now for a run still going. */
  durationMs: z.number().nullable(),
  url: z.string(),
});
export type DeployRun = z.infer<typeof DeployRunSchema>;

export const RunJobSchema = z.object({
  id: z.number(),
  name: z.string(),
  status: z.string(),
  conclusion: z.string().nullable(),
  startedAt: z.iso.datetime().nullable(),
  completedAt: z.iso.datetime().nullable(),
  steps: z.array(z.object({ number: z.number(), name: z.string(), status: z.string(), conclusion: z.string().nullable() })),
});
export type RunJob = z.infer<typeof RunJobSchema>;
