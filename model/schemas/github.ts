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
  steps: z.array(
    z.object({ number: z.number(), name: z.string(), status: z.string(), conclusion: z.string().nullable() }),
  ),
});
export type RunJob = z.infer<typeof RunJobSchema>;

export const CommitSummarySchema = z.object({
  sha: z.string(),
  /** The first line of the message. */
  subject: z.string(),
  author: z.string().nullable(),
  date: z.iso.datetime().nullable(),
  url: z.string(),
});
export type CommitSummary = z.infer<typeof CommitSummarySchema>;

/** GitHub's compare of what runs (base) with what would be deployed (head). */
export const RefComparisonSchema = z.object({
  status: z.enum(['ahead', 'behind', 'diverged', 'identical']),
  aheadBy: z.number().int(),
  behindBy: z.number().int(),
  /** Newest first, at most COMPARE_COMMITS_SHOWN of aheadBy. */
  commits: z.array(CommitSummarySchema),
  url: z.string(),
});
export type RefComparison = z.infer<typeof RefComparisonSchema>;

/** What a deploy would change, shown with its confirmation. */
export const DeployPreviewSchema = z.object({
  ref: z.string(),
  /** The commit the ref names now. */
  sha: z.string(),
  /** What runs: the api service's image tag (a commit SHA, as the deploy workflow tags images). */
  live: z.object({ imageTag: z.string().nullable(), revision: z.number().int().nullable() }),
  comparison: RefComparisonSchema.nullable(),
  /** Why there is no comparison (the running image is not a commit GitHub knows, GitHub failed). */
  comparisonProblem: z.string().nullable(),
  /** The image the workflow would run: the given tag, or the ref's commit (built when missing). */
  image: z.object({ tag: z.string(), exists: z.boolean() }),
});
export type DeployPreview = z.infer<typeof DeployPreviewSchema>;
