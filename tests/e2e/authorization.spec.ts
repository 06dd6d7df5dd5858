/**
 * The authorization matrix: every page and route handler, found in app/ when the test runs (a
 * route without a row here fails it), asked as anonymous, a viewer, an operator, and an
 * operator of the other environment only, with the status each must answer and the security
 * headers every answer carries.
 */
import { expect, test } from '@playwright/test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import ts from 'typescript';
import path from 'node:path';
import { repoPath } from '../../scripts/platform';
import { authState } from './global-setup';

const baseURL = () => process.env.PILOTHOUSE_E2E_URL!;

/**
 * Next.js's file conventions for what answers a URL: pages, route handlers and metadata routes
 * (which answer GET), in any of the extensions Next.js accepts.
 */
const PAGE_FILE = /^page\.(tsx?|jsx?|mdx?)$/;
const ROUTE_FILE = /^route\.(tsx?|jsx?)$/;
const METADATA_FILE =
  /^(sitemap|robots|manifest|icon\d*|apple-icon\d*|opengraph-image\d*|twitter-image\d*)\.(tsx?|jsx?|xml|txt|json|webmanifest|ico|png|jpe?g|gif|svg)$/;
const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
type Method = (typeof HTTP_METHODS)[number];

/** The HTTP methods a route module exports, read from its source with TypeScript's parser (every export form). */
function exportedMethods(file: string): Method[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const names: string[] = [];
  const exported = (node: ts.Node) =>
    ts.canHaveModifiers(node) && !!ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  for (const statement of source.statements) {
    if (ts.isFunctionDeclaration(statement) && exported(statement) && statement.name) names.push(statement.name.text);
    if (ts.isVariableStatement(statement) && exported(statement))
      for (const d of statement.declarationList.declarations) if (ts.isIdentifier(d.name)) names.push(d.name.text);
    if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause))
      for (const element of statement.exportClause.elements) names.push(element.name.text);
  }
  return HTTP_METHODS.filter((m) => names.includes(m));
}

type Found = { pattern: string; kind: 'page' | 'route' | 'metadata'; methods: Method[] };
/** Every page, route handler and metadata route under app/, as its URL pattern (route groups are not in URLs). */
function appRoutes(dir = repoPath('app'), prefix = ''): Found[] {
  const found: Found[] = [];
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) {
      if (entry.startsWith('_')) continue; // a private folder: never routed
      found.push(...appRoutes(full, /^\(.*\)$/.test(entry) ? prefix : `${prefix}/${entry}`));
    } else if (PAGE_FILE.test(entry)) {
      found.push({ pattern: prefix || '/', kind: 'page', methods: ['GET'] });
    } else if (ROUTE_FILE.test(entry)) {
      found.push({ pattern: prefix || '/', kind: 'route', methods: exportedMethods(full) });
    } else if (METADATA_FILE.test(entry)) {
      found.push({ pattern: `${prefix}/${entry.replace(/\.(tsx?|jsx?)$/, '')}`, kind: 'metadata', methods: ['GET'] });
    }
  }
  return found;
}

type Who = 'anonymous' | 'viewer' | 'operator' | 'stagingOperator';
/**
 * public: anyone; signed-in: anyone signed in; viewer/operator: that role in the environment the
 * URL names; cron: only the cron secret, never a session; csrf: next-auth's POSTs, which act only
 * with its CSRF token (a cookie and the same token in the form) and otherwise send everyone back
 * to sign in with `csrf=true`, acting on nothing.
 */
type Need = 'public' | 'signed-in' | 'viewer' | 'operator' | 'cron' | 'csrf';
/** An action (POST) is sent with an empty body: past the role check it answers 400 and changes nothing. */
type Row = { method: Method; need: Need; path: (env: string, ids: Ids) => string; stream?: boolean };
type Ids = { job: string };

const MATRIX: Record<string, Row[]> = {
  '/': [{ method: 'GET', need: 'signed-in', path: () => '/' }],
  '/audit': [{ method: 'GET', need: 'signed-in', path: () => '/audit' }],
  '/signin/refused': [{ method: 'GET', need: 'public', path: () => '/signin/refused?reason=no-role' }],
  '/api/auth/[...nextauth]': [
    { method: 'GET', need: 'public', path: () => '/api/auth/session' },
    { method: 'GET', need: 'public', path: () => '/api/auth/providers' },
    { method: 'POST', need: 'csrf', path: () => '/api/auth/signout' },
  ],
  '/environments/[env]': [{ method: 'GET', need: 'viewer', path: (env) => `/environments/${env}` }],
  '/environments/[env]/deploys': [{ method: 'GET', need: 'viewer', path: (env) => `/environments/${env}/deploys` }],
  '/environments/[env]/services/[service]': [
    { method: 'GET', need: 'viewer', path: (env) => `/environments/${env}/services/api` },
  ],
  '/environments/[env]/services/[service]/logs': [
    { method: 'GET', need: 'viewer', path: (env) => `/environments/${env}/services/api/logs?range=15m` },
  ],
  '/environments/[env]/services/[service]/logs/tail': [
    { method: 'GET', need: 'viewer', path: (env) => `/environments/${env}/services/api/logs/tail` },
  ],
  '/api/environments/[env]/services/[service]/logs/tail': [
    { method: 'GET', need: 'viewer', path: (env) => `/api/environments/${env}/services/api/logs/tail`, stream: true },
  ],
  '/api/environments/[env]/services/[service]/logs': [
    { method: 'GET', need: 'viewer', path: (env) => `/api/environments/${env}/services/api/logs?range=15m` },
  ],
  '/environments/[env]/queues/[queue]': [
    { method: 'GET', need: 'viewer', path: (env) => `/environments/${env}/queues/pdf` },
  ],
  '/environments/[env]/queues/[queue]/jobs/[job]': [
    { method: 'GET', need: 'viewer', path: (env, ids) => `/environments/${env}/queues/pdf/jobs/${ids.job}` },
  ],
  '/api/environments/[env]/live': [
    { method: 'GET', need: 'viewer', path: (env) => `/api/environments/${env}/live`, stream: true },
  ],
  '/api/environments/[env]/services/[service]': [
    { method: 'POST', need: 'operator', path: (env) => `/api/environments/${env}/services/api` },
  ],
  '/api/environments/[env]/deploys': [
    { method: 'POST', need: 'operator', path: (env) => `/api/environments/${env}/deploys` },
  ],
  '/api/environments/[env]/deploys/preview': [
    { method: 'GET', need: 'operator', path: (env) => `/api/environments/${env}/deploys/preview?ref=main` },
  ],
  '/environments/[env]/jobs': [
    { method: 'GET', need: 'viewer', path: (env, ids) => `/environments/${env}/jobs?q=${ids.job}` },
  ],
  '/environments/[env]/timeline': [
    { method: 'GET', need: 'viewer', path: (env) => `/environments/${env}/timeline?range=1h` },
  ],
  '/api/environments/[env]/jobs/search': [
    { method: 'GET', need: 'viewer', path: (env, ids) => `/api/environments/${env}/jobs/search?q=${ids.job}` },
  ],
  '/api/cron/status': [{ method: 'GET', need: 'cron', path: () => '/api/cron/status' }],
  '/api/environments/[env]/queues/[queue]': [
    { method: 'POST', need: 'operator', path: (env) => `/api/environments/${env}/queues/pdf` },
  ],
  '/api/environments/[env]/queues/[queue]/jobs/[job]': [
    { method: 'POST', need: 'operator', path: (env, ids) => `/api/environments/${env}/queues/pdf/jobs/${ids.job}` },
  ],
};

const ROLES: Record<Exclude<Who, 'anonymous'>, Record<string, 'viewer' | 'operator'>> = {
  viewer: { staging: 'viewer', production: 'viewer' },
  operator: { staging: 'operator', production: 'operator' },
  stagingOperator: { staging: 'operator' },
};

function expected(row: Row, who: Who, env: string): number {
  if (row.need === 'public') return 200;
  if (row.need === 'csrf') return 302;
  if (row.need === 'cron') return 401; // a session is not the cron secret
  const isApi = row.method !== 'GET' || row.stream || row.path(env, { job: '1' }).startsWith('/api/');
  if (who === 'anonymous') return isApi ? 401 : 307;
  if (row.need === 'signed-in') return 200;
  const role = ROLES[who][env];
  const allowed = role === 'operator' || (role === 'viewer' && row.need === 'viewer');
  if (!allowed) return 403;
  return row.method === 'GET' ? 200 : 400;
}

function cookieHeader(who: Who): string {
  if (who === 'anonymous') return '';
  const state = JSON.parse(readFileSync(authState(who), 'utf8')) as { cookies: { name: string; value: string }[] };
  return state.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

test('every page and route handler answers each kind of person as its row says', async () => {
  const routes = appRoutes();
  // A row per method each module exports: a new DELETE or PATCH on an existing route has no row, and fails here.
  const missing = routes.flatMap((r) =>
    r.methods
      .filter((method) => !MATRIX[r.pattern]?.some((row) => row.method === method))
      .map((method) => `${r.kind} ${method} ${r.pattern}`),
  );
  expect(missing, 'methods in app/ with no row in the authorization matrix').toEqual([]);
  expect(
    Object.entries(MATRIX).flatMap(([pattern, rows]) =>
      rows
        .filter((row) => !routes.find((r) => r.pattern === pattern)?.methods.includes(row.method))
        .map((row) => `${row.method} ${pattern}`),
    ),
    'rows for a method the module does not export',
  ).toEqual([]);
  expect(
    Object.keys(MATRIX).filter((p) => !routes.some((r) => r.pattern === p)),
    'rows for routes that no longer exist',
  ).toEqual([]);

  // A job to show, in each environment's queue.
  const ids: Record<string, Ids> = {};
  const registry = JSON.parse(readFileSync(process.env.PILOTHOUSE_E2E_REGISTRY_FILE!, 'utf8')) as {
    environments: { name: string; queues: { redisUrl: string } }[];
  };
  const added: { queue: Queue; remove: () => Promise<void> }[] = [];
  for (const env of registry.environments) {
    const queue = new Queue('pdf', { connection: new Redis(env.queues.redisUrl, { maxRetriesPerRequest: null }) });
    const job = await queue.add('pdf', { url: 'https://example.com/matrix' }, { delay: 3_600_000 });
    added.push({ queue, remove: () => job.remove() });
    ids[env.name] = { job: job.id! };
  }

  const outcomes: string[] = [];
  try {
    for (const [pattern, rows] of Object.entries(MATRIX)) {
      for (const row of rows) {
        for (const env of ['staging', 'production']) {
          if (!pattern.includes('[env]') && env === 'production') continue; // not per environment
          for (const who of ['anonymous', 'viewer', 'operator', 'stagingOperator'] as const) {
            const url = `${baseURL()}${row.path(env, ids[env])}`;
            const abort = new AbortController();
            const headers: Record<string, string> = { cookie: cookieHeader(who) };
            if (row.method !== 'GET')
              Object.assign(headers, {
                origin: baseURL(),
                'content-type': 'application/json',
                'idempotency-key': `matrix-${Date.now()}-${Math.random().toString(36).slice(2)}`,
              });
            const response = await fetch(url, {
              method: row.method,
              headers,
              body: row.method !== 'GET' ? '{}' : undefined,
              redirect: 'manual',
              signal: abort.signal,
            });
            abort.abort(); // a live stream never ends by itself: its status and headers are enough
            const want = expected(row, who, env);
            const location = response.headers.get('location') ?? '';
            // Security headers on every answer, allowed or not.
            const csp = response.headers.get('content-security-policy') ?? '';
            const headersOk =
              response.headers.get('x-content-type-options') === 'nosniff' &&
              csp.includes("frame-ancestors 'none'") &&
              !/script-src[^;]*'unsafe-(eval|inline)'/.test(csp);
            const ok =
              headersOk &&
              response.status === want &&
              (want !== 307 || location.includes('/api/auth/signin')) &&
              (row.need !== 'csrf' || location.includes('csrf=true'));
            outcomes.push(
              `${ok ? 'ok ' : 'BAD'} ${row.method} ${row.path(env, ids[env])} as ${who}: ${response.status}${location ? ` -> ${location}` : ''} (want ${want})${headersOk ? '' : ' security headers missing'}`,
            );
          }
        }
      }
    }
  } finally {
    for (const { queue, remove } of added) {
      await remove(); // only what this test added: the other specs count the seeded jobs
      await queue.close();
    }
  }
  console.log(outcomes.join('\n'));
  expect(outcomes.filter((line) => line.startsWith('BAD'))).toEqual([]);
});

test('the cron route answers Vercel Cron’s bearer secret only: each environment’s status with it, 401 without or with a wrong one', async () => {
  const { CRON_SECRET } = JSON.parse(process.env.PILOTHOUSE_E2E_SERVER_SECRETS!) as Record<string, string>;
  const call = (authorization?: string) =>
    fetch(`${baseURL()}/api/cron/status`, { headers: authorization ? { authorization } : {} });
  expect((await call()).status).toBe(401);
  expect((await call(`Bearer ${CRON_SECRET.slice(0, -1)}x`)).status).toBe(401);
  expect((await call(CRON_SECRET)).status).toBe(401);
  const answer = await call(`Bearer ${CRON_SECRET}`);
  expect(answer.status).toBe(200);
  const body = (await answer.json()) as { environments: { environment: string; status: string }[] };
  expect(body.environments.map((e) => e.environment).sort()).toEqual(['production', 'staging']);
  for (const e of body.environments) expect(['healthy', 'degraded', 'down']).toContain(e.status);
});

test('no server secret in the HTML of any page, or in any script it loads, as an operator sees them', async () => {
  const secrets = JSON.parse(process.env.PILOTHOUSE_E2E_SERVER_SECRETS!) as Record<string, string>;
  expect(Object.values(secrets).every((value) => value.length >= 16)).toBe(true); // long enough to mean something if found
  const pages = Object.values(MATRIX)
    .flat()
    .filter((row) => row.method === 'GET' && !row.stream && !row.path('staging', { job: '1' }).startsWith('/api/'));
  const scripts = new Set<string>();
  const found: string[] = [];
  for (const row of pages) {
    const url = `${baseURL()}${row.path('staging', { job: 'none' })}`;
    const html = await (await fetch(url, { headers: { cookie: cookieHeader('operator') } })).text();
    for (const [name, value] of Object.entries(secrets)) if (html.includes(value)) found.push(`${name} in ${url}`);
    for (const match of html.matchAll(/<script[^>]+src="([^"]+)"/g)) scripts.add(match[1]);
  }
  for (const src of scripts) {
    const body = await (await fetch(new URL(src, baseURL()))).text();
    for (const [name, value] of Object.entries(secrets)) if (body.includes(value)) found.push(`${name} in ${src}`);
  }
  expect(scripts.size).toBeGreaterThan(3);
  expect(found).toEqual([]);
});
