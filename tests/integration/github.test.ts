import { Octokit } from '@octokit/rest';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGithubClient, dispatchDeploy, listDeployRuns, listRunJobs } from '@/lib/github';
import { DEPLOY_WORKFLOW_BRANCH } from '@/contracts/platform';
import { startGithubStandin } from '../../scripts/platform';
import { eventually, seededEnvironment } from '../support/aws';
import { DeployInput } from '@/model/schemas/actions';

const TOKEN = 'ghs_standintoken000000000000000000000';
type Standin = Awaited<ReturnType<typeof startGithubStandin>>;
let github: Standin;
let oldServer: Standin;

const env = () => seededEnvironment('staging');
/** A stand-in for staging's repository and deploy workflow, with the token this file uses. */
const standinFor = () => ({
  token: TOKEN,
  owner: env().github.owner,
  repo: env().github.repo,
  workflow: env().github.deployWorkflow,
});
const octokit = (server: Standin, auth = TOKEN) =>
  new Octokit({ auth, baseUrl: server.url, userAgent: 'pilothouse-test' });

beforeAll(async () => {
  const common = { ...standinFor(), runMs: 1_500 };
  github = await startGithubStandin({
    ...common,
    supportsRunDetails: true,
    history: 3,
    historyEnvironments: ['staging', 'production'],
  });
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
    expect(runs[0]).toMatchObject({
      status: 'completed',
      ref: 'main',
      imageTag: null,
      actor: 'octocat',
      event: 'workflow_dispatch',
      durationMs: 238_000,
    });
    expect(runs.map((r) => r.conclusion)).toEqual(['success', 'success', 'failure']);
    expect(github.violations).toEqual([]);
  });

  it('lists only the runs that deploy to this environment: every environment shares the workflow, its run-name says which', async () => {
    const staging = await listDeployRuns(env(), octokit(github));
    const production = await listDeployRuns(seededEnvironment('production'), octokit(github));
    expect(staging.map((r) => r.title)).toEqual(Array(3).fill('Deploy main to staging'));
    expect(production.map((r) => r.title)).toEqual(Array(3).fill('Deploy main to production'));
    expect(new Set([...staging, ...production].map((r) => r.id)).size).toBe(6);
  });

  it("reads further pages when the other environment's runs fill the first", async () => {
    // Each hour one production deploy and nine staging ones: the newest 50 runs hold 5 of production's 8.
    const busy = await startGithubStandin({
      ...standinFor(),
      history: 8,
      historyEnvironments: ['production', ...Array(9).fill('staging')],
    });
    try {
      const production = await listDeployRuns(seededEnvironment('production'), octokit(busy));
      expect(production.map((r) => r.title)).toEqual(Array(8).fill('Deploy main to production'));
      expect(busy.violations).toEqual([]);
    } finally {
      await busy.close();
    }
  });

  it('dispatches the default branch’s workflow with the ref to deploy as an input, and follows that exact run to completion', async () => {
    const dispatched = await dispatchDeploy(env(), { ref: 'release/1.4', imageTag: 'abc123def456' }, octokit(github));

    expect(github.dispatches.at(-1)).toEqual({
      ref: DEPLOY_WORKFLOW_BRANCH,
      inputs: { environment: 'staging', ref: 'release/1.4', image_tag: 'abc123def456' },
      returnRunDetails: true,
    });
    expect(dispatched.runId).toEqual(expect.any(Number));
    expect(dispatched.htmlUrl).toMatch(/\/actions\/runs\/\d+$/);

    const during = await listRunJobs(env(), dispatched.runId!, octokit(github));
    expect(during[0].steps.map((s) => s.name)).toContain('Deploy to Amazon ECS');
    const done = await eventually(
      () => listRunJobs(env(), dispatched.runId!, octokit(github)),
      (jobs) => jobs[0].status === 'completed',
      5_000,
    );
    expect(done[0].conclusion).toBe('success');
    expect(done[0].steps.every((s) => s.conclusion === 'success')).toBe(true);
    const runs = await listDeployRuns(env(), octokit(github));
    expect(runs[0]).toMatchObject({
      id: dispatched.runId,
      ref: 'release/1.4',
      imageTag: 'abc123def456',
      status: 'completed',
    });
    expect(github.violations).toEqual([]);
  });

  it('falls back to the plain 204 dispatch where the server rejects return_run_details', async () => {
    const dispatched = await dispatchDeploy(env(), { ref: 'main' }, octokit(oldServer));
    expect(dispatched).toEqual({ runId: null, runUrl: null, htmlUrl: null });
    expect(oldServer.dispatches).toEqual([
      { ref: DEPLOY_WORKFLOW_BRANCH, inputs: { environment: 'staging', ref: 'main' }, returnRunDetails: false },
    ]);
    expect(oldServer.runCount()).toBe(1);
  });

  it('turns bad credentials into an upstream_failed error with the status', async () => {
    await expect(listDeployRuns(env(), octokit(github, 'wrong-token'))).rejects.toMatchObject({
      code: 'upstream_failed',
      message: expect.stringMatching(/GitHub list workflow runs failed \(401\)/),
    });
  });

  it('refuses a ref or image tag that could inject into the workflow before anything is sent', () => {
    for (const ref of ['main\nimage_tag=evil', '--upload-pack=x', 'a..b', 'feature branch', '$(id)', '']) {
      expect(DeployInput.safeParse({ ref }).success, ref).toBe(false);
    }
    for (const imageTag of ['v1\nbuild=true', '-x', 'a b', 'x'.repeat(129)]) {
      expect(DeployInput.safeParse({ ref: 'main', imageTag }).success, imageTag).toBe(false);
    }
    expect(DeployInput.parse({ ref: 'release/1.4', imageTag: 'abc123def456' })).toEqual({
      ref: 'release/1.4',
      imageTag: 'abc123def456',
    });
  });
});

describe('lib/github as a GitHub App', () => {
  it('authenticates with a signed App JWT, buys one installation token and reuses it for every call', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const app = {
      appId: '424242',
      installationId: '777',
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
    const server = await startGithubStandin({
      token: 'unused-token-0000',
      owner: env().github.owner,
      repo: env().github.repo,
      workflow: env().github.deployWorkflow,
      supportsRunDetails: true,
      history: 2,
      app,
    });
    try {
      const client = createGithubClient(
        {
          kind: 'app',
          appId: app.appId,
          installationId: app.installationId,
          privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        },
        server.url,
      );
      const runs = await listDeployRuns(env(), client);
      const dispatched = await dispatchDeploy(env(), { ref: 'main' }, client);

      expect(runs).toHaveLength(2);
      expect(dispatched.runId).toEqual(expect.any(Number));
      expect(server.installationTokensIssued()).toBe(1);
      expect(server.violations).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('fails with the upstream status when the App key is not the one GitHub knows', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const app = {
      appId: '424242',
      installationId: '777',
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
    const server = await startGithubStandin({
      token: 'unused-token-0000',
      owner: env().github.owner,
      repo: env().github.repo,
      workflow: env().github.deployWorkflow,
      app,
    });
    try {
      const client = createGithubClient(
        {
          kind: 'app',
          appId: app.appId,
          installationId: app.installationId,
          privateKey: other.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        },
        server.url,
      );
      await expect(listDeployRuns(env(), client)).rejects.toMatchObject({
        code: 'upstream_failed',
        message: expect.stringMatching(/\(401\)/),
      });
      expect(server.installationTokensIssued()).toBe(0);
    } finally {
      await server.close();
    }
  });
});

describe('the GitHub stand-in refuses a dispatch as GitHub does', () => {
  // GitHub's answers to POST .../actions/workflows/{id}/dispatches (REST docs, "Create a workflow
  // dispatch event": 422 for validation failures), with the messages GitHub gives, for deploy.yml.
  it('422 for a missing required input, an environment outside the choices, and a ref that is no branch or tag', async () => {
    const server = await startGithubStandin(standinFor());
    try {
      const dispatch = (ref: string, inputs: Record<string, string>) =>
        octokit(server)
          .rest.actions.createWorkflowDispatch({
            owner: env().github.owner,
            repo: env().github.repo,
            workflow_id: env().github.deployWorkflow,
            ref,
            inputs,
          })
          .then(
            (answer) => ({ status: answer.status, message: '' }),
            (err: { status: number; response: { data: { message: string } } }) => ({
              status: err.status,
              message: err.response.data.message,
            }),
          );
      expect(await dispatch('main', { ref: 'main' })).toEqual({
        status: 422,
        message: "Required input 'environment' not provided",
      });
      expect(await dispatch('main', { environment: 'qa', ref: 'main' })).toEqual({
        status: 422,
        message: "Provided value 'qa' for input 'environment' not in the list of allowed values",
      });
      expect(await dispatch('no-such-branch', { environment: 'staging', ref: 'main' })).toEqual({
        status: 422,
        message: 'No ref found for: no-such-branch',
      });
      expect(server.dispatches, 'nothing refused was recorded as dispatched').toEqual([]);
      // The same call, well formed, is taken.
      expect(await dispatch(DEPLOY_WORKFLOW_BRANCH, { environment: 'staging', ref: 'main' })).toEqual({
        status: 204,
        message: '',
      });
      expect(server.dispatches).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
