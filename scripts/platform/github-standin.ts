/**
 * A local stand-in for the part of GitHub's REST API the control plane uses (no emulator of
 * GitHub exists). It checks every request against GitHub's documented shape (method, path,
 * auth, headers, body), answers with documented response shapes, records dispatches, and
 * moves the runs they start from queued through in_progress to completed.
 * It also plays GitHub's OAuth web flow for sign-in (an authorize page to choose a seeded user,
 * the code-for-token exchange, GET /user) and answers org team membership.
 * Docs: https://docs.github.com/rest/actions/workflows and /rest/actions/workflow-runs, /workflow-jobs,
 * https://docs.github.com/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps,
 * https://docs.github.com/rest/teams/members#get-team-membership-for-a-user
 */
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { demoRepository, type DemoCommit, type DemoRepository } from './demo-repository';
import { DEPLOY_WORKFLOW_BRANCH, DEPLOY_WORKFLOW_INPUTS, deployRunTitle } from '../../contracts/platform';

export type StandinOptions = {
  token: string;
  owner: string;
  repo: string;
  workflow: string;
  /** Whether the server knows `return_run_details` (GitHub.com does; an older GHES answers 422). */
  supportsRunDetails?: boolean;
  /** How long a dispatched run takes from start to completed. */
  runMs?: number;
  /** Completed runs present before any dispatch, per environment in `historyEnvironments` (one an hour, interleaved). */
  history?: number;
  historyEnvironments?: string[];
  /** A GitHub App installed on the repository: its JWTs buy installation tokens, which are accepted like `token`. */
  app?: { appId: string; installationId: string; publicKeyPem: string };
  /** The repository's git history, served by the compare and commit endpoints (scripts/platform/demo-repository.ts by default). */
  repository?: DemoRepository;
  /** An OAuth app for sign-in, the people who can sign in, and the org's teams (`org/slug` to logins). */
  oauth?: { clientId: string; clientSecret: string; users: StandinUser[]; teams: Record<string, string[]> };
};

export type DispatchFault = 'server-error' | 'bad-gateway' | 'secondary-rate-limit' | 'hang';

export type StandinUser = { login: string; id: number; name: string; note?: string };

type Run = {
  id: number;
  run_number: number;
  head_branch: string;
  head_sha: string;
  display_title: string;
  inputs: Record<string, string>;
  created_at: string;
  run_started_at: string | null;
  updated_at: string;
  conclusion_when_done: 'success' | 'failure';
  done_at: number;
  started_at: number;
  actor: string;
};

const STEPS = [
  'Set up job',
  'Build image',
  'Push to Amazon ECR',
  'Render task definition',
  'Deploy to Amazon ECS',
  'Wait for service stability',
];

// POST /dispatches body, as documented: ref required, inputs at most 25 properties.
const DispatchBody = z.strictObject({
  ref: z.string().min(1),
  inputs: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .refine((i) => Object.keys(i).length <= 25)
    .optional(),
  return_run_details: z.boolean().optional(),
});

/**
 * The workflow's own `workflow_dispatch` inputs, read from the workflow file in this repository,
 * so the stand-in refuses what GitHub would refuse for that file: a required input missing, a
 * choice outside its options (GitHub checks both on dispatch, before any run exists).
 */
type DispatchInput = { required?: boolean; type?: string; options?: string[] };
function workflowInputs(workflow: string): Record<string, DispatchInput> {
  const file = path.join(import.meta.dirname, '..', '..', '.github', 'workflows', workflow);
  const parsed = parseYaml(readFileSync(file, 'utf8')) as {
    on: { workflow_dispatch: { inputs?: Record<string, DispatchInput> } };
  };
  return parsed.on.workflow_dispatch.inputs ?? {};
}

export async function startGithubStandin(options: StandinOptions) {
  const runMs = options.runMs ?? 6_000;
  const runs: Run[] = [];
  const dispatches: { ref: string; inputs: Record<string, unknown>; returnRunDetails: boolean }[] = [];
  const violations: string[] = [];
  let nextId = 9_000_000_001;
  let base = '';

  const now = Date.now();
  const historyEnvironments = options.historyEnvironments ?? ['staging'];
  for (let i = options.history ?? 0; i > 0; i--) {
    historyEnvironments.forEach((environment, e) => {
      const created = now - i * 3_600_000 + e * 600_000;
      runs.push(
        newRun(
          DEPLOY_WORKFLOW_BRANCH,
          { ref: 'main', environment },
          created,
          i % 3 === 0 ? 'failure' : 'success',
          created + 240_000,
          'octocat',
        ),
      );
    });
  }

  function newRun(
    branch: string,
    inputs: Record<string, string>,
    created: number,
    conclusion: 'success' | 'failure',
    doneAt: number,
    actor: string,
  ): Run {
    const id = nextId++;
    return {
      id,
      run_number: runs.length + 1,
      head_branch: branch,
      // GitHub renders the workflow's `run-name` with the inputs (deploy.yml).
      display_title: deployRunTitle({
        environment: inputs.environment ?? '',
        ref: inputs.ref ?? branch,
        image_tag: inputs.image_tag,
      }),
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
      display_title: run.display_title,
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
      jobs: [
        {
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
            const status =
              at >= stepEnd ? 'completed' : at >= stepStart && s.status !== 'queued' ? 'in_progress' : 'queued';
            const failed = run.conclusion_when_done === 'failure' && i === STEPS.length - 1;
            return {
              name,
              status,
              conclusion: status === 'completed' ? (failed ? 'failure' : 'success') : null,
              number: i + 1,
            };
          }),
        },
      ],
    };
  }

  function send(res: http.ServerResponse, status: number, body?: unknown) {
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-request-id': `STANDIN:${Date.now()}`,
    });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  }

  function reject(res: http.ServerResponse, status: number, message: string) {
    violations.push(`${status} ${message}`);
    send(res, status, { message, documentation_url: 'https://docs.github.com/rest', status: String(status) });
  }

  // Installation tokens issued to the App, with their expiry (GitHub: one hour).
  const installationTokens = new Map<string, number>();

  /**
   * A GitHub App's JWT, checked as GitHub documents it: RS256 signed with the App's private
   * key, `iss` the App ID (or client ID), `iat` in the past (GitHub allows 60 s of skew),
   * `exp` at most 10 minutes after `iat`.
   * https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app
   */
  function appJwtProblem(jwt: string): string | null {
    if (!options.app) return 'this stand-in has no GitHub App';
    const [header, payload, signature] = jwt.split('.');
    if (!header || !payload || !signature) return 'A JSON web token could not be decoded';
    const h = JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg?: string };
    if (h.alg !== 'RS256') return `'alg' must be RS256, was ${h.alg}`;
    const ok = verify(
      'RSA-SHA256',
      Buffer.from(`${header}.${payload}`),
      createPublicKey(options.app.publicKeyPem),
      Buffer.from(signature, 'base64url'),
    );
    if (!ok) return 'A JSON web token could not be decoded';
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as {
      iss?: string | number;
      iat?: number;
      exp?: number;
    };
    const nowS = Math.floor(Date.now() / 1000);
    if (String(claims.iss) !== options.app.appId) return "'Issuer' claim ('iss') must be the App ID";
    if (typeof claims.iat !== 'number' || claims.iat > nowS + 60)
      return "'Issued at' claim ('iat') must be an Integer representing a time in the past";
    if (typeof claims.exp !== 'number' || claims.exp <= nowS || claims.exp - claims.iat > 600)
      return "'Expiration time' claim ('exp') is too far in the future";
    return null;
  }

  const oauth = createOauth(options.oauth);
  const git = gitHistory(options.repository ?? demoRepository());
  const declaredInputs = workflowInputs(options.workflow);
  /** Faults the next workflow dispatches answer with, in order (tests of a failing GitHub). */
  const dispatchFaults: { kind: DispatchFault }[] = [];
  const faultsServed: DispatchFault[] = [];

  function commitJson(c: DemoCommit) {
    const html = `https://github.com/${options.owner}/${options.repo}/commit/${c.sha}`;
    const person = { name: c.author.name, email: c.author.email, date: c.date };
    const user = {
      login: c.author.login,
      id: 1000 + c.author.login.length,
      type: 'User',
      html_url: `https://github.com/${c.author.login}`,
    };
    return {
      sha: c.sha,
      node_id: `C_${c.sha.slice(0, 20)}`,
      url: `${base}${repoPath}/commits/${c.sha}`,
      html_url: html,
      commit: {
        author: person,
        committer: person,
        message: c.message,
        tree: { sha: c.sha.split('').reverse().join(''), url: '' },
        url: '',
        comment_count: 0,
      },
      author: user,
      committer: user,
      parents: c.parents.map((p) => ({
        sha: p,
        url: `${base}${repoPath}/commits/${p}`,
        html_url: `https://github.com/${options.owner}/${options.repo}/commit/${p}`,
      })),
    };
  }

  /**
   * Compare two commits, as documented: `BASE...HEAD` (branches, tags or SHAs); the commits
   * reachable from head but not from base, oldest first; status ahead/behind/diverged/identical;
   * at most 250 commits unless paginated with per_page (max 100) and page. Unknown refs: 404.
   * https://docs.github.com/rest/commits/commits#compare-two-commits
   */
  function compare(res: http.ServerResponse, basehead: string, params: URLSearchParams) {
    const [baseRef, headRef, ...rest] = basehead.split('...');
    if (!baseRef || !headRef || rest.length > 0)
      return send(res, 404, {
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest/commits/commits#compare-two-commits',
        status: '404',
      });
    const baseSha = git.resolve(baseRef);
    const headSha = git.resolve(headRef);
    if (!baseSha || !headSha)
      return send(res, 404, {
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest/commits/commits#compare-two-commits',
        status: '404',
      });
    const fromBase = git.ancestors(baseSha);
    const fromHead = git.ancestors(headSha);
    const ahead = git.commits.filter((c) => fromHead.has(c.sha) && !fromBase.has(c.sha)); // oldest first
    const behind = git.commits.filter((c) => fromBase.has(c.sha) && !fromHead.has(c.sha));
    const mergeBase = [...git.commits].reverse().find((c) => fromBase.has(c.sha) && fromHead.has(c.sha));
    const status =
      ahead.length === 0 && behind.length === 0
        ? 'identical'
        : behind.length === 0
          ? 'ahead'
          : ahead.length === 0
            ? 'behind'
            : 'diverged';
    const paginated = params.has('per_page') || params.has('page');
    const perPage = Number(params.get('per_page') ?? 30);
    const page = Number(params.get('page') ?? 1);
    if (
      paginated &&
      (!Number.isInteger(perPage) || perPage < 1 || perPage > 100 || !Number.isInteger(page) || page < 1)
    )
      return reject(res, 422, 'per_page must be 1..100 and page at least 1');
    const shown = paginated ? ahead.slice((page - 1) * perPage, page * perPage) : ahead.slice(0, 250);
    return send(res, 200, {
      url: `${base}${repoPath}/compare/${baseRef}...${headRef}`,
      html_url: `https://github.com/${options.owner}/${options.repo}/compare/${baseRef}...${headRef}`,
      permalink_url: `https://github.com/${options.owner}/${options.repo}/compare/${options.owner}:${baseSha.slice(0, 7)}...${options.owner}:${headSha.slice(0, 7)}`,
      diff_url: `https://github.com/${options.owner}/${options.repo}/compare/${baseRef}...${headRef}.diff`,
      patch_url: `https://github.com/${options.owner}/${options.repo}/compare/${baseRef}...${headRef}.patch`,
      base_commit: commitJson(git.bySha.get(baseSha)!),
      merge_base_commit: mergeBase ? commitJson(mergeBase) : null,
      status,
      ahead_by: ahead.length,
      behind_by: behind.length,
      total_commits: ahead.length,
      commits: shown.map(commitJson),
      files: [],
    });
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://standin');
    // github.com's OAuth endpoints (a browser page and a form post): not the REST API's rules.
    if (url.pathname.startsWith('/login/oauth/')) return oauth.handle(req, res, url);
    // Every request: a User-Agent (GitHub answers 403 without one), credentials, a JSON accept header.
    if (!req.headers['user-agent'])
      return reject(
        res,
        403,
        'Request forbidden by administrative rules. Please make sure your request has a User-Agent header',
      );
    const auth = req.headers.authorization ?? '';
    if (!/application\/vnd\.github/.test(req.headers.accept ?? ''))
      return reject(res, 415, 'Unsupported accept header');
    // POST /app/installations/{id}/access_tokens, with the App's JWT: an installation token.
    if (
      options.app &&
      req.method === 'POST' &&
      url.pathname === `/app/installations/${options.app.installationId}/access_tokens`
    ) {
      // Auth schemes are case-insensitive (RFC 9110); @octokit/auth-app sends `bearer`.
      const problem = /^bearer /i.test(auth) ? appJwtProblem(auth.slice(7)) : 'A JSON web token could not be decoded';
      if (problem) return reject(res, 401, problem);
      const token = `ghs_${randomBytes(18).toString('hex')}`;
      const expiresAt = Date.now() + 3_600_000;
      installationTokens.set(token, expiresAt);
      return send(res, 201, {
        token,
        expires_at: new Date(expiresAt).toISOString(),
        permissions: { actions: 'write', metadata: 'read' },
        repository_selection: 'selected',
      });
    }
    const presented = /^(?:token|bearer) (.+)$/i.exec(auth)?.[1] ?? '';
    // GET /user with a user's OAuth token: who signed in.
    if (req.method === 'GET' && url.pathname === '/user') {
      const user = oauth.userForToken(presented);
      if (!user) return reject(res, 401, 'Bad credentials');
      return send(res, 200, userJson(user));
    }
    const installationToken = (installationTokens.get(presented) ?? 0) > Date.now();
    if (presented !== options.token && !installationToken) return reject(res, 401, 'Bad credentials');

    // GET /orgs/{org}/teams/{team_slug}/memberships/{username}: 200 with the state, or 404 for a non-member.
    const membership = /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && membership) {
      const [, org, slug, username] = membership.map(decodeURIComponent);
      oauth.membershipLookups.push(`${org}/${slug}/${username}`);
      const members = oauth.teams.get(`${org}/${slug}`.toLowerCase());
      if (!members || !members.has(username.toLowerCase()))
        return send(res, 404, {
          message: 'Not Found',
          documentation_url: 'https://docs.github.com/rest/teams/members#get-team-membership-for-a-user',
        });
      return send(res, 200, { url: `${base}${url.pathname}`, role: 'member', state: 'active' });
    }

    // GET /repos/{owner}/{repo}/compare/{basehead} and /commits/{ref}: the repository's history.
    const compareMatch = new RegExp(`^${repoPath}/compare/(.+)$`).exec(url.pathname);
    if (req.method === 'GET' && compareMatch)
      return compare(res, decodeURIComponent(compareMatch[1]), url.searchParams);
    const commitMatch = new RegExp(`^${repoPath}/commits/(.+)$`).exec(url.pathname);
    if (req.method === 'GET' && commitMatch) {
      const sha = git.resolve(decodeURIComponent(commitMatch[1]));
      if (!sha)
        return send(res, 422, {
          message: `No commit found for SHA: ${decodeURIComponent(commitMatch[1])}`,
          documentation_url: 'https://docs.github.com/rest/commits/commits#get-a-commit',
          status: '422',
        });
      return send(res, 200, commitJson(git.bySha.get(sha)!));
    }

    const runsPath = `${repoPath}/actions/workflows/${options.workflow}/runs`;
    const dispatchPath = `${repoPath}/actions/workflows/${options.workflow}/dispatches`;
    const runMatch = new RegExp(`^${repoPath}/actions/runs/(\\d+)(/jobs)?$`).exec(url.pathname);

    if (req.method === 'GET' && url.pathname === runsPath) {
      // Paginated as documented: per_page (max 100) and page (from 1), newest first.
      const perPage = Number(url.searchParams.get('per_page') ?? 30);
      const page = Number(url.searchParams.get('page') ?? 1);
      if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100)
        return reject(res, 422, 'per_page must be 1..100');
      if (!Number.isInteger(page) || page < 1) return reject(res, 422, 'page must be at least 1');
      const newest = [...runs].reverse();
      return send(res, 200, {
        total_count: runs.length,
        workflow_runs: newest.slice((page - 1) * perPage, page * perPage).map(runJson),
      });
    }
    if (req.method === 'GET' && runMatch) {
      const run = runs.find((r) => r.id === Number(runMatch[1]));
      if (!run) return send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
      return send(res, 200, runMatch[2] ? jobsJson(run) : runJson(run));
    }
    if (req.method === 'POST' && url.pathname === dispatchPath && dispatchFaults.length > 0) {
      // A fault a test asked for, as GitHub answers them (documented statuses and bodies).
      const fault = dispatchFaults.shift()!;
      faultsServed.push(fault.kind);
      if (fault.kind === 'hang') return; // no answer at all: the client's timeout must end it
      if (fault.kind === 'secondary-rate-limit') {
        res.writeHead(403, {
          'content-type': 'application/json; charset=utf-8',
          'retry-after': '60',
          'x-github-request-id': `STANDIN:${Date.now()}`,
        });
        return void res.end(
          JSON.stringify({
            message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
            documentation_url:
              'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits',
            status: '403',
          }),
        );
      }
      const status = fault.kind === 'server-error' ? 500 : 502;
      return send(res, status, { message: status === 500 ? 'Server Error' : 'Bad Gateway' });
    }
    if (req.method === 'POST' && url.pathname === dispatchPath) {
      if (!/^application\/json/.test(req.headers['content-type'] ?? ''))
        return reject(res, 415, 'Content-Type must be application/json');
      let raw = '';
      for await (const chunk of req) raw += chunk;
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        return reject(res, 400, 'Problems parsing JSON');
      }
      if (!options.supportsRunDetails && json && typeof json === 'object' && 'return_run_details' in json) {
        return send(res, 422, {
          message: 'Invalid request.\n\n"return_run_details" is not a permitted key.',
          documentation_url: 'https://docs.github.com/rest',
        });
      }
      const body = DispatchBody.safeParse(json);
      if (!body.success)
        return reject(res, 422, `Invalid request: ${body.error.issues.map((i) => i.path.join('.')).join(', ')}`);
      const unexpected = Object.keys(body.data.inputs ?? {}).filter(
        (k) => !(DEPLOY_WORKFLOW_INPUTS as readonly string[]).includes(k),
      );
      if (unexpected.length) return reject(res, 422, `Unexpected inputs provided: ${JSON.stringify(unexpected)}`);
      // As GitHub answers: the workflow runs from a branch or tag that exists, with its required
      // inputs, and a choice input only takes one of its options.
      if (!git.resolveBranchOrTag(body.data.ref)) return reject(res, 422, `No ref found for: ${body.data.ref}`);
      for (const [name, input] of Object.entries(declaredInputs)) {
        const value = body.data.inputs?.[name];
        if (input.required && (value === undefined || value === ''))
          return reject(res, 422, `Required input '${name}' not provided`);
        if (input.type === 'choice' && value !== undefined && !input.options?.includes(String(value)))
          return reject(res, 422, `Provided value '${value}' for input '${name}' not in the list of allowed values`);
      }
      dispatches.push({
        ref: body.data.ref,
        inputs: body.data.inputs ?? {},
        returnRunDetails: body.data.return_run_details === true,
      });
      const created = Date.now();
      const inputs = Object.fromEntries(Object.entries(body.data.inputs ?? {}).map(([k, v]) => [k, String(v)]));
      const run = newRun(body.data.ref, inputs, created, 'success', created + runMs, 'pilothouse-operator');
      run.started_at = created + Math.min(500, runMs / 4);
      runs.push(run);
      if (body.data.return_run_details) {
        return send(res, 200, {
          workflow_run_id: run.id,
          run_url: `${base}${repoPath}/actions/runs/${run.id}`,
          html_url: runJson(run).html_url,
        });
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
    /** How many installation tokens the App bought. */
    installationTokensIssued: () => installationTokens.size,
    /** Changes a team's members, as an org admin would on GitHub. */
    setTeamMembers: (team: string, logins: string[]) =>
      oauth.teams.set(team.toLowerCase(), new Set(logins.map((l) => l.toLowerCase()))),
    /** Team membership lookups so far, by `org/slug/login`. */
    membershipLookups: () => oauth.membershipLookups,
    runCount: () => runs.length,
    /** The next workflow dispatch answers with this fault instead (500, 502, a secondary rate limit, or no answer). */
    failNextDispatch: (kind: DispatchFault) => void dispatchFaults.push({ kind }),
    faultsServed: () => [...faultsServed],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A repository's commits, indexed: refs (branches, tags, full or abbreviated SHAs) to SHAs, and ancestry. */
function gitHistory(repository: DemoRepository) {
  const bySha = new Map(repository.commits.map((c) => [c.sha, c]));
  return {
    commits: repository.commits,
    bySha,
    /** What a workflow dispatch's `ref` may name: a branch or a tag, never a bare SHA. */
    resolveBranchOrTag(ref: string): string | null {
      return (
        repository.branches[ref] ??
        repository.tags[ref] ??
        repository.branches[ref.replace(/^refs\/heads\//, '')] ??
        repository.tags[ref.replace(/^refs\/tags\//, '')] ??
        null
      );
    },
    resolve(ref: string): string | null {
      const named =
        repository.branches[ref] ??
        repository.tags[ref] ??
        repository.branches[ref.replace(/^refs\/heads\//, '')] ??
        repository.tags[ref.replace(/^refs\/tags\//, '')];
      if (named) return named;
      if (!/^[0-9a-f]{7,40}$/.test(ref)) return null;
      const matches = repository.commits.filter((c) => c.sha.startsWith(ref));
      return matches.length === 1 ? matches[0].sha : null;
    },
    ancestors(sha: string): Set<string> {
      const seen = new Set<string>();
      const stack = [sha];
      while (stack.length) {
        const next = stack.pop()!;
        if (seen.has(next)) continue;
        seen.add(next);
        stack.push(...(bySha.get(next)?.parents ?? []));
      }
      return seen;
    },
  };
}

function userJson(user: StandinUser) {
  return {
    login: user.login,
    id: user.id,
    node_id: `U_${user.id}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
    html_url: `https://github.com/${user.login}`,
    type: 'User',
    site_admin: false,
    name: user.name,
    email: null,
  };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * GitHub's OAuth web flow, as documented: GET /login/oauth/authorize (client_id, redirect_uri,
 * scope, state) shows a page; choosing a user redirects to redirect_uri with `code` and `state`;
 * POST /login/oauth/access_token (client credentials in the body or as HTTP Basic, code,
 * redirect_uri) trades the code, once and within 10 minutes, for a token. Errors come back as
 * GitHub sends them: 200 with `error` and `error_description`.
 */
function createOauth(config: StandinOptions['oauth']) {
  const codes = new Map<string, { login: string; clientId: string; redirectUri: string; expires: number }>();
  const tokens = new Map<string, string>();
  const teams = new Map<string, Set<string>>(
    Object.entries(config?.teams ?? {}).map(([team, logins]) => [
      team.toLowerCase(),
      new Set(logins.map((l) => l.toLowerCase())),
    ]),
  );
  const users = config?.users ?? [];
  const membershipLookups: string[] = [];

  function page(res: http.ServerResponse, status: number, body: string) {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in to GitHub (stand-in)</title></head><body style="font-family:system-ui;max-width:32rem;margin:3rem auto">${body}</body></html>`,
    );
  }

  /** GitHub: the redirect_uri must be the app's callback URL or below it; locally, a loopback http URL. */
  function redirectProblem(value: string | null): string | null {
    if (!value) return 'redirect_uri is required by this stand-in (the control plane always sends it)';
    try {
      const target = new URL(value);
      if (target.protocol !== 'http:' || !['127.0.0.1', 'localhost'].includes(target.hostname))
        return 'redirect_uri must be a loopback http URL here';
    } catch {
      return 'redirect_uri is not a URL';
    }
    return null;
  }

  async function form(req: http.IncomingMessage): Promise<URLSearchParams> {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    if (/^application\/json/.test(req.headers['content-type'] ?? '')) {
      return new URLSearchParams(Object.entries(JSON.parse(raw || '{}') as Record<string, string>));
    }
    return new URLSearchParams(raw);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL) {
    if (!config) return page(res, 404, '<p>No OAuth app on this stand-in.</p>');
    if (url.pathname === '/login/oauth/authorize' && req.method === 'GET') {
      const clientId = url.searchParams.get('client_id');
      const redirectUri = url.searchParams.get('redirect_uri');
      if (clientId !== config.clientId) return page(res, 404, '<h1>404</h1><p>The client_id is not an OAuth app.</p>');
      const problem = redirectProblem(redirectUri);
      if (problem)
        return page(
          res,
          400,
          `<h1>The redirect_uri is not associated with this application.</h1><p>${escapeHtml(problem)}</p>`,
        );
      const hidden = ['client_id', 'redirect_uri', 'state', 'scope']
        .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(url.searchParams.get(name) ?? '')}">`)
        .join('');
      const choices = users
        .map(
          (user) =>
            `<p><button type="submit" name="login" value="${escapeHtml(user.login)}">Sign in as ${escapeHtml(user.login)}</button> ${escapeHtml(user.note ?? '')}</p>`,
        )
        .join('');
      return page(
        res,
        200,
        `<h1>Sign in to GitHub</h1><p>to continue to Pilothouse (scope: ${escapeHtml(url.searchParams.get('scope') ?? '')})</p><form method="post" action="/login/oauth/authorize">${hidden}${choices}</form>`,
      );
    }
    if (url.pathname === '/login/oauth/authorize' && req.method === 'POST') {
      const body = await form(req);
      const user = users.find((u) => u.login === body.get('login'));
      const redirectUri = body.get('redirect_uri');
      if (body.get('client_id') !== config.clientId || !user || redirectProblem(redirectUri))
        return page(res, 400, '<p>Bad request.</p>');
      const code = randomBytes(10).toString('hex');
      codes.set(code, {
        login: user.login,
        clientId: config.clientId,
        redirectUri: redirectUri!,
        expires: Date.now() + 600_000,
      });
      const target = new URL(redirectUri!);
      target.searchParams.set('code', code);
      if (body.get('state')) target.searchParams.set('state', body.get('state')!);
      res.writeHead(302, { location: target.toString() }).end();
      return;
    }
    if (url.pathname === '/login/oauth/access_token' && req.method === 'POST') {
      const body = await form(req);
      const basic = /^basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const [basicId, basicSecret] = basic
        ? Buffer.from(basic, 'base64').toString().split(':').map(decodeURIComponent)
        : [];
      const clientId = body.get('client_id') ?? basicId;
      const clientSecret = body.get('client_secret') ?? basicSecret;
      const answer = (fields: Record<string, string>) => {
        if (/application\/json/.test(req.headers.accept ?? '')) {
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify(fields));
        } else {
          res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' });
          res.end(new URLSearchParams(fields).toString());
        }
      };
      if (clientId !== config.clientId || clientSecret !== config.clientSecret) {
        return answer({
          error: 'incorrect_client_credentials',
          error_description: 'The client_id and/or client_secret passed are incorrect.',
          error_uri:
            'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#incorrect-client-credentials',
        });
      }
      const code = codes.get(body.get('code') ?? '');
      codes.delete(body.get('code') ?? ''); // a code is good once
      if (!code || code.expires < Date.now() || code.clientId !== clientId) {
        return answer({
          error: 'bad_verification_code',
          error_description: 'The code passed is incorrect or expired.',
          error_uri:
            'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code',
        });
      }
      if (body.get('redirect_uri') && body.get('redirect_uri') !== code.redirectUri) {
        return answer({
          error: 'redirect_uri_mismatch',
          error_description: 'The redirect_uri MUST match the registered callback URL for this application.',
          error_uri:
            'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/#redirect-uri-mismatch',
        });
      }
      const token = `gho_${randomBytes(18).toString('hex')}`;
      tokens.set(token, code.login);
      return answer({ access_token: token, token_type: 'bearer', scope: 'read:user' });
    }
    return page(res, 404, '<p>Not Found</p>');
  }

  return {
    handle,
    teams,
    membershipLookups,
    userForToken: (token: string) => users.find((u) => u.login === tokens.get(token)),
  };
}
