/**
 * A local stand-in for the part of GitHub's REST API the control plane uses (no emulator of
 * GitHub exists). It checks every request against GitHub's documented shape (method, path,
 * auth, headers, body), answers with documented response shapes, records dispatches, and
 * moves the runs they start from queued through in_progress to completed.
 * Docs: https://docs.github.com/rest/actions/workflows and /rest/actions/workflow-runs, /workflow-jobs
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { DEPLOY_WORKFLOW_INPUTS } from '../lib/platform';

export type StandinOptions = {
  token: string;
  owner: string;
  repo: string;
  workflow: string;
  /** Whether the server knows `return_run_details` (GitHub.com does; an older GHES answers 422). */
  supportsRunDetails?: boolean;
  /** How long a dispatched run takes from start to completed. */
  runMs?: number;
  /** Completed runs present before any dispatch. */
  history?: number;
};

type Run = {
  id: number;
  run_number: number;
  head_branch: string;
  head_sha: string;
  inputs: Record<string, string>;
  created_at: string;
  run_started_at: string | null;
  updated_at: string;
  conclusion_when_done: 'success' | 'failure';
  done_at: number;
  started_at: number;
  actor: string;
};

const STEPS = ['Set up job', 'Build image', 'Push to Amazon ECR', 'Render task definition', 'Deploy to Amazon ECS', 'Wait for service stability'];

// POST /dispatches body, as documented: ref required, inputs at most 25 properties.
const DispatchBody = z.strictObject({
  ref: z.string().min(1),
  inputs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).refine((i) => Object.keys(i).length <= 25).optional(),
  return_run_details: z.boolean().optional(),
});

export async function startGithubStandin(options: StandinOptions) {
  const runMs = options.runMs ?? 6_000;
  const runs: Run[] = [];
  const dispatches: { ref: string; inputs: Record<string, unknown>; returnRunDetails: boolean }[] = [];
  const violations: string[] = [];
  let nextId = 9_000_000_001;
  let base = '';

  const now = Date.now();
  for (let i = options.history ?? 0; i > 0; i--) {
    const created = now - i * 3_600_000;
    runs.push(newRun({ ref: 'main', environment: 'staging' }, created, i % 3 === 0 ? 'failure' : 'success', created + 240_000, 'octocat'));
  }

  function newRun(inputs: Record<string, string>, created: number, conclusion: 'success' | 'failure', doneAt: number, actor: string): Run {
    const id = nextId++;
    return {
      id,
      run_number: runs.length + 1,
      head_branch: inputs.ref ?? 'main',
      head_sha: id.toString(16).padStart(40, 'a'),
      inputs,
      created_at: new Date(created).toISOString(),
      run_started_at: new Date(created + 2_000).toISOString(),
      updated_at: new Date(created).toISOString(),
      conclusion_when_done: conclusion,
      done_at: doneAt,
      started_at: created + 2_000,
      actor,
    };
  }

  function state(run: Run, at = Date.now()) {
    if (at >= run.done_at) return { status: 'completed', conclusion: run.conclusion_when_done };
    if (at >= run.started_at) return { status: 'in_progress', conclusion: null };
    return { status: 'queued', conclusion: null };
  }

  const repoPath = `/repos/${options.owner}/${options.repo}`;
  function runJson(run: Run) {
    const s = state(run);
    return {
      id: run.id,
      name: 'Deploy',
      display_title: `Deploy ${run.inputs.environment ?? ''} ${run.head_branch}`.trim(),
      run_number: run.run_number,
      run_attempt: 1,
      event: 'workflow_dispatch',
      status: s.status,
      conclusion: s.conclusion,
      head_branch: run.head_branch,
      head_sha: run.head_sha,
      path: `.github/workflows/${options.workflow}`,
      workflow_id: 161335,
      html_url: `https://github.com/${options.owner}/${options.repo}/actions/runs/${run.id}`,
      url: `${base}${repoPath}/actions/runs/${run.id}`,
      jobs_url: `${base}${repoPath}/actions/runs/${run.id}/jobs`,
      created_at: run.created_at,
      updated_at: s.status === 'completed' ? new Date(run.done_at).toISOString() : new Date().toISOString(),
      run_started_at: run.run_started_at,
      actor: { login: run.actor, id: 1, type: 'User' },
      triggering_actor: { login: run.actor, id: 1, type: 'User' },
    };
  }

  function jobsJson(run: Run) {
    const s = state(run);
    const span = (run.done_at - run.started_at) / STEPS.length;
    const at = Date.now();
    return {
      total_count: 1,
      jobs: [{
        id: run.id * 10,
        run_id: run.id,
        name: 'deploy',
        status: s.status,
        conclusion: s.conclusion,
        started_at: new Date(run.started_at).toISOString(),
        completed_at: s.status === 'completed' ? new Date(run.done_at).toISOString() : null,
        html_url: `https://github.com/${options.owner}/${options.repo}/actions/runs/${run.id}/job/${run.id * 10}`,
        steps: STEPS.map((name, i) => {
          const stepStart = run.started_at + i * span;
          const stepEnd = stepStart + span;
          const status = at >= stepEnd ? 'completed' : at >= stepStart && s.status !== 'queued' ? 'in_progress' : 'queued';
          const failed = run.conclusion_when_done === 'failure' && i === STEPS.length - 1;
          return { name, status, conclusion: status === 'completed' ? (failed ? 'failure' : 'success') : null, number: i + 1 };
        }),
      }],
    };
  }

  function send(res: http.ServerResponse, status: number, body?: unknown) {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-github-request-id': `STANDIN:${Date.now()}` });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  }

  function reject(res: http.ServerResponse, status: number, message: string) {
    violations.push(`${status} ${message}`);
    send(res, status, { message, documentation_url: 'https://docs.github.com/rest', status: String(status) });
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://standin');
    // Every request: a User-Agent (GitHub answers 403 without one), credentials, a JSON accept header.
    if (!req.headers['user-agent']) return reject(res, 403, 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header');
    const auth = req.headers.authorization ?? '';
    if (auth !== `token ${options.token}` && auth !== `Bearer ${options.token}`) return reject(res, 401, 'Bad credentials');
    if (!/application\/vnd\.github/.test(req.headers.accept ?? '')) return reject(res, 415, 'Unsupported accept header');

    const runsPath = `${repoPath}/actions/workflows/${options.workflow}/runs`;
    const dispatchPath = `${repoPath}/actions/workflows/${options.workflow}/dispatches`;
    const runMatch = new RegExp(`^${repoPath}/actions/runs/(\\d+)(/jobs)?$`).exec(url.pathname);

    if (req.method === 'GET' && url.pathname === runsPath) {
      const perPage = Number(url.searchParams.get('per_page') ?? 30);
      if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) return reject(res, 422, 'per_page must be 1..100');
      const newest = [...runs].reverse();
      return send(res, 200, { total_count: runs.length, workflow_runs: newest.slice(0, perPage).map(runJson) });
    }
    if (req.method === 'GET' && runMatch) {
      const run = runs.find((r) => r.id === Number(runMatch[1]));
      if (!run) return send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
      return send(res, 200, runMatch[2] ? jobsJson(run) : runJson(run));
    }
    if (req.method === 'POST' && url.pathname === dispatchPath) {
      if (!/^application\/json/.test(req.headers['content-type'] ?? '')) return reject(res, 415, 'Content-Type must be application/json');
      let raw = '';
      for await (const chunk of req) raw += chunk;
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        return reject(res, 400, 'Problems parsing JSON');
      }
      if (!options.supportsRunDetails && json && typeof json === 'object' && 'return_run_details' in json) {
        return send(res, 422, { message: 'Invalid request.\n\n"return_run_details" is not a permitted key.', documentation_url: 'https://docs.github.com/rest' });
      }
      const body = DispatchBody.safeParse(json);
      if (!body.success) return reject(res, 422, `Invalid request: ${body.error.issues.map((i) => i.path.join('.')).join(', ')}`);
      const unexpected = Object.keys(body.data.inputs ?? {}).filter((k) => !(DEPLOY_WORKFLOW_INPUTS as readonly string[]).includes(k));
      if (unexpected.length) return reject(res, 422, `Unexpected inputs provided: ${JSON.stringify(unexpected)}`);
      dispatches.push({ ref: body.data.ref, inputs: body.data.inputs ?? {}, returnRunDetails: body.data.return_run_details === true });
      const created = Date.now();
      const inputs = Object.fromEntries(Object.entries(body.data.inputs ?? {}).map(([k, v]) => [k, String(v)]));
      const run = newRun({ ...inputs, ref: body.data.ref }, created, 'success', created + runMs, 'pilothouse-operator');
      run.started_at = created + Math.min(500, runMs / 4);
      runs.push(run);
      if (body.data.return_run_details) {
        return send(res, 200, { workflow_run_id: run.id, run_url: `${base}${repoPath}/actions/runs/${run.id}`, html_url: runJson(run).html_url });
      }
      res.writeHead(204).end();
      return;
    }
    return send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    dispatches,
    violations,
    runCount: () => runs.length,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
