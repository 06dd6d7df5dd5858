import 'server-only';
import { createAppAuth } from '@octokit/auth-app';
import { RequestError } from '@octokit/request-error';
import { Octokit } from '@octokit/rest';
import { getConfig, githubAuth } from './config';
import type { Environment } from './environments';
import { AppError, UpstreamError } from '../model/errors';
import { log } from './log';
import { DEPLOY_WORKFLOW_BRANCH, parseDeployRunTitle } from '../contracts/platform';
import type { DeployInput } from '../model/schemas/actions';
import {
  CommitSummarySchema,
  DeployRunSchema,
  RefComparisonSchema,
  RunJobSchema,
  type DeployRun,
  type RefComparison,
  type RunJob,
} from '../model/schemas/github';

/**
 * The deploy workflow on GitHub Actions: its recent runs, one run's jobs and steps, and
 * dispatching it; the commits between two refs. The only module that talks to GitHub.
 */

export type Dispatched = { runId: number | null; runUrl: string | null; htmlUrl: string | null };

/** Runs shown per environment. */
export const RUNS_PER_PAGE = 10;
/** Runs asked for per page, and pages at most: every environment's runs share the workflow. */
const RUNS_LISTED = 50;
const RUNS_PAGES = 3;

/**
 * Each GitHub request (installation token exchanges included) gives up after this, inside
 * the cache's 10 s lock (lib/cache.ts): a hung GitHub cannot cause a second refresh.
 */
export const GITHUB_TIMEOUT_MS = 6_000;

const timedFetch: typeof fetch = (input, init) =>
  fetch(input, {
    ...init,
    signal: init?.signal
      ? AbortSignal.any([init.signal, AbortSignal.timeout(GITHUB_TIMEOUT_MS)])
      : AbortSignal.timeout(GITHUB_TIMEOUT_MS),
  });

/**
 * A GitHub client: as the GitHub App's installation in production (short-lived installation
 * tokens, created and refreshed by @octokit/auth-app), or with a token for local use.
 */
export function createGithubClient(auth = githubAuth(), baseUrl = getConfig().GITHUB_API_URL): Octokit {
  // Octokit logs every failed request itself; ours are reported with their context (toUpstream),
  // and a 404 is sometimes the answer (not a team member): its own lines only at debug.
  const quiet = {
    debug: (m: string) => log.debug(m),
    info: (m: string) => log.debug(m),
    warn: (m: string) => log.warn(m),
    error: (m: string) => log.debug(m),
  };
  const common = { baseUrl, userAgent: 'pilothouse', request: { fetch: timedFetch }, log: quiet };
  switch (auth.kind) {
    case 'app':
      return new Octokit({
        ...common,
        authStrategy: createAppAuth,
        auth: { appId: auth.appId, privateKey: auth.privateKey, installationId: auth.installationId },
      });
    case 'token':
      return new Octokit({ ...common, auth: auth.token });
    case 'none':
      throw new AppError(
        'upstream_failed',
        'no GitHub credentials (GITHUB_APP_* or GITHUB_TOKEN): deploys through GitHub Actions are unavailable',
      );
  }
}

let defaultOctokit: Octokit | undefined;
export function githubClient(): Octokit {
  defaultOctokit ??= createGithubClient();
  return defaultOctokit;
}

/**
 * Runs one GitHub call; a failure becomes our UpstreamError (Octokit's RequestError mapped here
 * and only here, as `awsCall` does for AWS). `answers` turns statuses that are an answer rather
 * than a failure (404: not a member, no such ref) into a value.
 */
export async function githubCall<T, A = never>(
  operation: string,
  run: () => Promise<T>,
  answers: Partial<Record<number, () => A>> = {},
): Promise<T | A> {
  try {
    return await run();
  } catch (err) {
    const answer = err instanceof RequestError ? answers[err.status] : undefined;
    if (answer) return answer();
    throw toUpstreamError(operation, err);
  }
}

function toUpstreamError(operation: string, err: unknown): UpstreamError {
  const request = err instanceof RequestError ? err : null;
  const headers = request?.response?.headers ?? {};
  const requestId = headers['x-github-request-id'];
  const timedOut =
    err instanceof Error &&
    (err.name === 'TimeoutError' || (err.cause instanceof Error && err.cause.name === 'TimeoutError'));
  const retryAfter = headers['retry-after'];
  const message = err instanceof Error ? err.message : String(err);
  // A rate limit says when to come back: the operator reads it in the error.
  const reason = timedOut
    ? `no answer within ${GITHUB_TIMEOUT_MS} ms`
    : `${message}${retryAfter ? ` (GitHub asks to retry after ${retryAfter} s)` : ''}`;
  const status = request && !timedOut ? ` (${request.status})` : '';
  return new UpstreamError(
    'GitHub',
    `GitHub ${operation} failed${status}: ${reason}`,
    typeof requestId === 'string' ? requestId : undefined,
    {
      cause: err,
      code: timedOut ? 'timeout' : 'upstream_failed',
    },
  );
}

function repo(env: Environment) {
  return { owner: env.github.owner, repo: env.github.repo };
}

export async function listDeployRuns(
  env: Environment,
  octokit: Octokit = githubClient(),
  now = Date.now(),
): Promise<DeployRun[]> {
  // Every environment deploys through the one workflow, and GitHub cannot filter runs by input:
  // the title says which environment a run deploys to. A title we cannot read (a run-name
  // changed by hand) stays in every environment's list rather than hide a deploy. Another
  // environment's busy day can fill a page: up to RUNS_PAGES pages are read to find this one's.
  type Run = Awaited<ReturnType<Octokit['rest']['actions']['listWorkflowRuns']>>['data']['workflow_runs'][number];
  const mine: Run[] = [];
  for (let page = 1; page <= RUNS_PAGES && mine.length < RUNS_PER_PAGE; page++) {
    const { data } = await githubCall('list workflow runs', () =>
      octokit.rest.actions.listWorkflowRuns({
        ...repo(env),
        workflow_id: env.github.deployWorkflow,
        per_page: RUNS_LISTED,
        page,
      }),
    );
    mine.push(
      ...data.workflow_runs.filter(
        (run) => (parseDeployRunTitle(run.display_title ?? '')?.environment ?? env.name) === env.name,
      ),
    );
    if (data.workflow_runs.length < RUNS_LISTED) break;
  }
  return mine.slice(0, RUNS_PER_PAGE).map((run) => {
    const started = run.run_started_at ?? null;
    const end = run.status === 'completed' ? Date.parse(run.updated_at) : now;
    const deployed = parseDeployRunTitle(run.display_title ?? '');
    return DeployRunSchema.parse({
      id: run.id,
      runNumber: run.run_number ?? null,
      title: run.display_title ?? run.name ?? `run ${run.id}`,
      status: run.status,
      conclusion: run.conclusion,
      ref: deployed?.ref ?? run.head_branch,
      imageTag: deployed?.imageTag ?? null,
      sha: run.head_sha,
      actor: run.actor?.login ?? run.triggering_actor?.login ?? null,
      event: run.event,
      createdAt: new Date(run.created_at).toISOString(),
      startedAt: started ? new Date(started).toISOString() : null,
      durationMs: started ? Math.max(0, end - Date.parse(started)) : null,
      url: run.html_url,
    });
  });
}

/**
 * Whether `login` is an active member of `team` (`org/team-slug`), asked with the control
 * plane's own GitHub credentials (the App needs the org's Members: read). GitHub answers 404
 * for a non-member, and `state: pending` for an invitation not yet accepted: neither counts.
 */
export async function isActiveTeamMember(
  team: string,
  login: string,
  octokit: Octokit = githubClient(),
): Promise<boolean> {
  const [org, teamSlug] = team.split('/');
  const membership = await githubCall(
    'team membership',
    () => octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug: teamSlug, username: login }),
    { 404: () => null },
  );
  return membership?.data.state === 'active';
}

/** A run's jobs and their steps: what an operator follows while a deploy is in progress. */
export async function listRunJobs(
  env: Environment,
  runId: number,
  octokit: Octokit = githubClient(),
): Promise<RunJob[]> {
  const { data } = await githubCall('list jobs for a run', () =>
    octokit.rest.actions.listJobsForWorkflowRun({ ...repo(env), run_id: runId }),
  );
  return data.jobs.map((job) =>
    RunJobSchema.parse({
      id: job.id,
      name: job.name,
      status: job.status,
      conclusion: job.conclusion,
      startedAt: job.started_at ? new Date(job.started_at).toISOString() : null,
      completedAt: job.completed_at ? new Date(job.completed_at).toISOString() : null,
      steps: (job.steps ?? []).map((s) => ({
        number: s.number,
        name: s.name,
        status: s.status,
        conclusion: s.conclusion ?? null,
      })),
    }),
  );
}

/**
 * Dispatches the deploy workflow for the environment. The workflow file runs from the
 * default branch, never from the ref being deployed: a branch's own copy of deploy.yml must
 * not run with the deploy role (whose trust admits only the default branch's workflow).
 * The ref to deploy travels as the `ref` input. Asks GitHub for the run's id
 * (`return_run_details`, Feb 2026) so the control plane follows that exact run; a server
 * that does not know the parameter (an older GitHub Enterprise Server) answers 422, and the
 * dispatch is sent again without it, answered by a plain 204 and no run id.
 */
export async function dispatchDeploy(
  env: Environment,
  input: DeployInput,
  octokit: Octokit = githubClient(),
): Promise<Dispatched> {
  const inputs: Record<string, string> = { environment: env.name, ref: input.ref };
  if (input.imageTag) inputs.image_tag = input.imageTag;
  const request = { ...repo(env), workflow_id: env.github.deployWorkflow, ref: DEPLOY_WORKFLOW_BRANCH, inputs };
  const withoutDetails = { runId: null, runUrl: null, htmlUrl: null };
  const response = await githubCall('workflow dispatch', async () => {
    try {
      return await octokit.rest.actions.createWorkflowDispatch({ ...request, return_run_details: true });
    } catch (err) {
      if (!(err instanceof RequestError && err.status === 422 && /return_run_details/.test(err.message))) throw err;
      await octokit.rest.actions.createWorkflowDispatch(request);
      return null;
    }
  });
  // Octokit's route types still say 204 only; the 200 with run details is documented since Feb 2026.
  if (response && (response.status as number) === 200 && response.data) {
    const data = response.data as { workflow_run_id: number; run_url: string; html_url: string };
    return { runId: Number(data.workflow_run_id), runUrl: data.run_url, htmlUrl: data.html_url };
  }
  return withoutDetails;
}

/** Commits listed in a deploy preview; the compare's total says how many more there are. */
export const COMPARE_COMMITS_SHOWN = 30;

/** The commit a ref (branch, tag, SHA) names now; null when GitHub knows no such ref (422). */
export async function resolveCommit(
  env: Environment,
  ref: string,
  octokit: Octokit = githubClient(),
): Promise<string | null> {
  const unknown = () => null;
  const commit = await githubCall(
    'get a commit',
    () => octokit.rest.repos.getCommit({ ...repo(env), ref, per_page: 1 }),
    { 404: unknown, 422: unknown },
  );
  return commit?.data.sha ?? null;
}

/**
 * The commits `head` has that `base` does not (GitHub's compare, `BASE...HEAD`), newest first;
 * null when GitHub knows either ref not (404). One request: the first page holds up to 250.
 */
export async function compareRefs(
  env: Environment,
  base: string,
  head: string,
  octokit: Octokit = githubClient(),
): Promise<RefComparison | null> {
  const comparison = await githubCall(
    'compare two commits',
    () => octokit.rest.repos.compareCommitsWithBasehead({ ...repo(env), basehead: `${base}...${head}` }),
    { 404: () => null },
  );
  if (!comparison) return null;
  const { data } = comparison;
  return RefComparisonSchema.parse({
    status: data.status,
    aheadBy: data.ahead_by,
    behindBy: data.behind_by,
    commits: [...data.commits]
      .reverse()
      .slice(0, COMPARE_COMMITS_SHOWN)
      .map((c) =>
        CommitSummarySchema.parse({
          sha: c.sha,
          subject: c.commit.message.split('\n')[0],
          author: c.author?.login ?? c.commit.author?.name ?? null,
          date: c.commit.author?.date ? new Date(c.commit.author.date).toISOString() : null,
          url: c.html_url,
        }),
      ),
    url: data.html_url,
  });
}
