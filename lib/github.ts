import 'server-only';
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { getConfig, githubAuth } from './config';
import type { Environment } from './environments';
import { AppError, UpstreamError } from './errors';
import { log } from './log';
import { DEPLOY_WORKFLOW_BRANCH, parseDeployRunTitle } from './platform';
import type { DeployInput } from './schemas/actions';
import { CommitSummarySchema, DeployRunSchema, RefComparisonSchema, RunJobSchema, type DeployRun, type RefComparison, type RunJob } from './schemas/github';
export { DeployRunSchema, RunJobSchema, type DeployRun, type RunJob } from './schemas/github';

/**
 * The deploy workflow on GitHub Actions: its recent runs, one run's jobs and steps, and
 * dispatching it; the commits between two refs. The only module that talks to GitHub.
 */
export { DeployInput } from './schemas/actions';

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
  fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(GITHUB_TIMEOUT_MS)]) : AbortSignal.timeout(GITHUB_TIMEOUT_MS) });

/**
 * A GitHub client: as the GitHub App's installation in production (short-lived installation
 * tokens, created and refreshed by @octokit/auth-app), or with a token for local use.
 */
export function createGithubClient(auth = githubAuth(), baseUrl = getConfig().GITHUB_API_URL): Octokit {
  // Octokit logs every failed request itself; ours are reported with their context (toUpstream),
  // and a 404 is sometimes the answer (not a team member): its own lines only at debug.
  const quiet = { debug: (m: string) => log.debug(m), info: (m: string) => log.debug(m), warn: (m: string) => log.warn(m), error: (m: string) => log.debug(m) };
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
      throw new AppError('upstream_failed', 'no GitHub credentials (GITHUB_APP_* or GITHUB_TOKEN): deploys through GitHub Actions are unavailable');
  }
}

let defaultOctokit: Octokit | undefined;
export function githubClient(): Octokit {
  defaultOctokit ??= createGithubClient();
  return defaultOctokit;
}

function toUpstream(operation: string, err: unknown): UpstreamError {
  const status = (err as { status?: number }).status;
  const requestId = (err as { response?: { headers?: Record<string, string> } }).response?.headers?.['x-github-request-id'];
  const timedOut = (err as Error).name === 'TimeoutError' || ((err as Error).cause as Error | undefined)?.name === 'TimeoutError';
  const retryAfter = (err as { response?: { headers?: Record<string, string> } }).response?.headers?.['retry-after'];
  // A rate limit says when to come back: the operator reads it in the error.
  const reason = timedOut ? `no answer within ${GITHUB_TIMEOUT_MS} ms` : `${(err as Error).message}${retryAfter ? ` (GitHub asks to retry after ${retryAfter} s)` : ''}`;
  return new UpstreamError('GitHub', `GitHub ${operation} failed${status && !timedOut ? ` (${status})` : ''}: ${reason}`, requestId, {
    cause: err,
    code: timedOut ? 'timeout' : 'upstream_failed',
  });
}

function repo(env: Environment) {
  return { owner: env.github.owner, repo: env.github.repo };
}

export async function listDeployRuns(env: Environment, octokit: Octokit = githubClient(), now = Date.now()): Promise<DeployRun[]> {
  // Every environment deploys through the one workflow, and GitHub cannot filter runs by input:
  // the title says which environment a run deploys to. A title we cannot read (a run-name
  // changed by hand) stays in every environment's list rather than hide a deploy. Another
  // environment's busy day can fill a page: up to RUNS_PAGES pages are read to find this one's.
  type Run = Awaited<ReturnType<Octokit['rest']['actions']['listWorkflowRuns']>>['data']['workflow_runs'][number];
  const mine: Run[] = [];
  for (let page = 1; page <= RUNS_PAGES && mine.length < RUNS_PER_PAGE; page++) {
    let data;
    try {
      ({ data } = await octokit.rest.actions.listWorkflowRuns({ ...repo(env), workflow_id: env.github.deployWorkflow, per_page: RUNS_LISTED, page }));
    } catch (err) {
      throw toUpstream('list workflow runs', err);
    }
    mine.push(...data.workflow_runs.filter((run) => (parseDeployRunTitle(run.display_title ?? '')?.environment ?? env.name) === env.name));
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
export async function isActiveTeamMember(team: string, login: string, octokit: Octokit = githubClient()): Promise<boolean> {
  const [org, teamSlug] = team.split('/');
  try {
    const { data } = await octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug: teamSlug, username: login });
    return data.state === 'active';
  } catch (err) {
    if ((err as { status?: number }).status === 404) return false;
    throw toUpstream('team membership', err);
  }
}

/** A run's jobs and their steps: what an operator follows while a deploy is in progress. */
export async function listRunJobs(env: Environment, runId: number, octokit: Octokit = githubClient()): Promise<RunJob[]> {
  let data;
  try {
    ({ data } = await octokit.rest.actions.listJobsForWorkflowRun({ ...repo(env), run_id: runId }));
  } catch (err) {
    throw toUpstream('list jobs for a run', err);
  }
  return data.jobs.map((job) =>
    RunJobSchema.parse({
      id: job.id,
      name: job.name,
      status: job.status,
      conclusion: job.conclusion,
      startedAt: job.started_at ? new Date(job.started_at).toISOString() : null,
      completedAt: job.completed_at ? new Date(job.completed_at).toISOString() : null,
      steps: (job.steps ?? []).map((s) => ({ number: s.number, name: s.name, status: s.status, conclusion: s.conclusion ?? null })),
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
export async function dispatchDeploy(env: Environment, input: DeployInput, octokit: Octokit = githubClient()): Promise<Dispatched> {
  const inputs: Record<string, string> = { environment: env.name, ref: input.ref };
  if (input.imageTag) inputs.image_tag = input.imageTag;
  const request = { ...repo(env), workflow_id: env.github.deployWorkflow, ref: DEPLOY_WORKFLOW_BRANCH, inputs };
  try {
    const response = await octokit.rest.actions.createWorkflowDispatch({ ...request, return_run_details: true });
    // Octokit's route types still say 204 only; the 200 with run details is documented since Feb 2026.
    if ((response.status as number) === 200 && response.data) {
      const data = response.data as { workflow_run_id: number; run_url: string; html_url: string };
      return { runId: Number(data.workflow_run_id), runUrl: data.run_url, htmlUrl: data.html_url };
    }
    return { runId: null, runUrl: null, htmlUrl: null };
  } catch (err) {
    if ((err as { status?: number }).status === 422 && /return_run_details/.test((err as Error).message)) {
      try {
        await octokit.rest.actions.createWorkflowDispatch(request);
        return { runId: null, runUrl: null, htmlUrl: null };
      } catch (retryErr) {
        throw toUpstream('workflow dispatch', retryErr);
      }
    }
    throw toUpstream('workflow dispatch', err);
  }
}

/** Commits listed in a deploy preview; the compare's total says how many more there are. */
export const COMPARE_COMMITS_SHOWN = 30;

/** The commit a ref (branch, tag, SHA) names now; null when GitHub knows no such ref (422). */
export async function resolveCommit(env: Environment, ref: string, octokit: Octokit = githubClient()): Promise<string | null> {
  try {
    const { data } = await octokit.rest.repos.getCommit({ ...repo(env), ref, per_page: 1 });
    return data.sha;
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === 422 || status === 404) return null;
    throw toUpstream('get a commit', err);
  }
}

/**
 * The commits `head` has that `base` does not (GitHub's compare, `BASE...HEAD`), newest first;
 * null when GitHub knows either ref not (404). One request: the first page holds up to 250.
 */
export async function compareRefs(env: Environment, base: string, head: string, octokit: Octokit = githubClient()): Promise<RefComparison | null> {
  let data;
  try {
    ({ data } = await octokit.rest.repos.compareCommitsWithBasehead({ ...repo(env), basehead: `${base}...${head}` }));
  } catch (err) {
    if ((err as { status?: number }).status === 404) return null;
    throw toUpstream('compare two commits', err);
  }
  return RefComparisonSchema.parse({
    status: data.status,
    aheadBy: data.ahead_by,
    behindBy: data.behind_by,
    commits: [...data.commits].reverse().slice(0, COMPARE_COMMITS_SHOWN).map((c) =>
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
