import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchDeploy, listDeployRuns, listRunJobs } from '@/lib/github';
import { startGithubStandin } from '../../scripts/github-standin';
import { eventually, seededEnvironment } from '../support/aws';

const TOKEN = 'ghs_standintoken000000000000000000000';
type Standin = Awaited<ReturnType<typeof startGithubStandin>>;
let github: Standin;
let oldServer: Standin;

const env = () => seededEnvironment('staging');
const octokit = (server: Standin, auth = TOKEN) => new Octokit({ auth, baseUrl: server.url, userAgent: 'pilothouse-test' });

beforeAll(async () => {
  const common = { token: TOKEN, owner: env().github.owner, repo: env().github.repo, workflow: env().github.deployWorkflow, runMs: 1_500 };
  github = await startGithubStandin({ ...common, supportsRunDetails: true, history: 3 });
  oldServer = await startGithubStandin({ ...common, supportsRunDetails: false });
});
afterAll(async () => {
  await github?.close();
  await oldServer?.close();
});

describe('lib/github against a stand-in that checks GitHub’s documented shapes', () => {
  it('lists the deploy workflow’s recent runs, newest first, with status, ref, actor and duration', async () => {
    const runs = await listDeployRuns(env(), octokit(github));
    expect(runs).toHaveLength(3);
    expect(runs[0].createdAt > runs[1].createdAt).toBe(true);
    expect(runs[0]).toMatchObject({ status: 'completed', ref: 'main', actor: 'octocat', event: 'workflow_dispatch', durationMs: 238_000 });
    expect(runs.map((r) => r.conclusion)).toEqual(['success', 'success', 'failure']);
    expect(github.violations).toEqual([]);
  });

  it('dispatches with the environment’s inputs and follows that exact run to completion', async () => {
    const dispatched = await dispatchDeploy(env(), { ref: 'release/1.4', imageTag: 'abc123def456' }, octokit(github));

    expect(github.dispatches.at(-1)).toEqual({
      ref: 'release/1.4',
      inputs: { environment: 'staging', ref: 'release/1.4', image_tag: 'abc123def456' },
      returnRunDetails: true,
    });
    expect(dispatched.runId).toEqual(expect.any(Number));
    expect(dispatched.htmlUrl).toMatch(/\/actions\/runs\/\d+$/);

    const during = await listRunJobs(env(), dispatched.runId!, octokit(github));
    expect(during[0].steps.map((s) => s.name)).toContain('Deploy to Amazon ECS');
    const done = await eventually(() => listRunJobs(env(), dispatched.runId!, octokit(github)), (jobs) => jobs[0].status === 'completed', 5_000);
    expect(done[0].conclusion).toBe('success');
    expect(done[0].steps.every((s) => s.conclusion === 'success')).toBe(true);
    const runs = await listDeployRuns(env(), octokit(github));
    expect(runs[0]).toMatchObject({ id: dispatched.runId, ref: 'release/1.4', status: 'completed' });
    expect(github.violations).toEqual([]);
  });

  it('falls back to the plain 204 dispatch where the server rejects return_run_details', async () => {
    const dispatched = await dispatchDeploy(env(), { ref: 'main' }, octokit(oldServer));
    expect(dispatched).toEqual({ runId: null, runUrl: null, htmlUrl: null });
    expect(oldServer.dispatches).toEqual([{ ref: 'main', inputs: { environment: 'staging', ref: 'main' }, returnRunDetails: false }]);
    expect(oldServer.runCount()).toBe(1);
  });

  it('turns bad credentials into an upstream_failed error with the status', async () => {
    await expect(listDeployRuns(env(), octokit(github, 'wrong-token'))).rejects.toMatchObject({
      code: 'upstream_failed',
      message: expect.stringMatching(/GitHub list workflow runs failed \(401\)/),
    });
  });
});
