/**
 * The control plane built by Vercel's own builder, offline, and its Build Output checked
 * (npm test runs this; https://vercel.com/docs/build-output-api/v3):
 * - every function is a Node.js function (not edge) that streams its response (but the proxy,
 *   which only redirects, refuses or lets a request through);
 * - each route that declares `maxDuration` has it in its function config (a page or a live
 *   stream must end on purpose, not at the platform's default);
 * - no function and no static file contains a server secret: the build runs with canary
 *   values in every secret variable, and none may appear in what would be deployed.
 * The project settings `vercel build` needs are written here (no login, no network).
 * Usage: tsx scripts/bin/vercel-build.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../platform/local-platform';

const OUTPUT = path.join(ROOT, '.vercel', 'output');
/** Every server-side secret the control plane reads (lib/config.ts), with a value no build should ever copy. */
const CANARIES: Record<string, string> = {
  REDIS_URL: 'rediss://default:canary-redis-5d1f0c@canary.upstash.io:6379',
  GITHUB_TOKEN: 'ghp_canaryTOKEN5d1f0c0000000000000000000',
  GITHUB_APP_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\\ncanary-app-key-5d1f0c\\n-----END PRIVATE KEY-----',
  PILOTHOUSE_ENVIRONMENTS: JSON.stringify({
    environments: [{ name: 'canary', queues: { redisUrl: 'rediss://canary-queue-5d1f0c@x:6379' } }],
  }),
  NEXTAUTH_SECRET: 'canary-nextauth-secret-5d1f0c',
  GITHUB_OAUTH_CLIENT_SECRET: 'canary-oauth-client-secret-5d1f0c',
  AWS_ACCESS_KEY_ID: 'AKIACANARY5D1F0C0000',
  AWS_SECRET_ACCESS_KEY: 'canary-aws-secret-key-5d1f0c',
};
const CANARY_MARKERS = [
  'canary-redis-5d1f0c',
  'ghp_canaryTOKEN5d1f0c',
  'canary-app-key-5d1f0c',
  'canary-queue-5d1f0c',
  'canary-nextauth-secret-5d1f0c',
  'canary-oauth-client-secret-5d1f0c',
  'AKIACANARY5D1F0C',
  'canary-aws-secret-key-5d1f0c',
];

function build(): void {
  mkdirSync(path.dirname(OUTPUT), { recursive: true });
  writeFileSync(
    path.join(ROOT, '.vercel', 'project.json'),
    JSON.stringify({
      projectId: 'prj_pilothouse_local',
      orgId: 'team_pilothouse_local',
      settings: {
        framework: 'nextjs',
        installCommand: null,
        buildCommand: null,
        devCommand: null,
        outputDirectory: null,
        rootDirectory: null,
      },
    }),
  );
  const started = Date.now();
  const result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'vercel'), ['build', '--prod', '--yes'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    env: { ...process.env, ...CANARIES, VERCEL_TELEMETRY_DISABLED: '1', NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    throw new Error(`vercel build failed (${result.status})`);
  }
  console.log(`  vercel build: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

type FunctionConfig = {
  runtime?: string;
  launcherType?: string;
  supportsResponseStreaming?: boolean;
  maxDuration?: number;
  filePathMap?: Record<string, string>;
};

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) yield* walk(full);
    else yield full;
  }
}

/** `export const maxDuration = N` of each app/ route or page, by its function name in the output. */
function declaredMaxDurations(): Map<string, number> {
  const found = new Map<string, number>();
  for (const file of walk(path.join(ROOT, 'app'))) {
    if (!/\/(page|route)\.tsx?$/.test(file)) continue;
    const m = /export const maxDuration = (\d+)/.exec(readFileSync(file, 'utf8'));
    if (!m) continue;
    // Route groups, `(name)`, organise app/ without being part of the URL or the function's name.
    const route = path
      .relative(path.join(ROOT, 'app'), path.dirname(file))
      .replace(/\\/g, '/')
      .split('/')
      .filter((segment) => !/^\(.+\)$/.test(segment))
      .join('/');
    found.set(route === '' ? 'index' : route, Number(m[1]));
  }
  return found;
}

function check(): string[] {
  const problems: string[] = [];
  const functionsDir = path.join(OUTPUT, 'functions');
  const functions = [...walk(functionsDir)].filter((f) => f.endsWith('.func/.vc-config.json'));
  if (functions.length === 0) problems.push('no functions in the Build Output');
  const declared = declaredMaxDurations();
  const scanned = new Set<string>();
  for (const configFile of functions) {
    const name = path.relative(functionsDir, path.dirname(configFile)).replace(/\.func$/, '');
    const config = JSON.parse(readFileSync(configFile, 'utf8')) as FunctionConfig;
    if (config.launcherType !== 'Nodejs' || !config.runtime?.startsWith('nodejs'))
      problems.push(`${name}: not a Node.js function (${config.runtime})`);
    // The proxy (proxy.ts, `_middleware`) answers before any page: a redirect, a 401 or "go on".
    if (config.supportsResponseStreaming !== true && name !== '_middleware')
      problems.push(`${name}: does not stream its response`);
    const wanted = declared.get(name.replace(/\.rsc$/, ''));
    if (wanted !== undefined && config.maxDuration !== wanted)
      problems.push(`${name}: maxDuration ${config.maxDuration} in the output, ${wanted} in the source`);
    // What the function ships: its own directory, and the project files it maps in.
    for (const file of walk(path.dirname(configFile))) scanned.add(file);
    for (const source of Object.values(config.filePathMap ?? {})) scanned.add(path.join(ROOT, source));
  }
  for (const file of walk(path.join(OUTPUT, 'static'))) scanned.add(file);
  for (const file of scanned) {
    if (!existsSync(file) || statSync(file).isDirectory()) continue;
    const text = readFileSync(file, 'latin1');
    for (const marker of CANARY_MARKERS)
      if (text.includes(marker)) problems.push(`${path.relative(ROOT, file)} contains a server secret (${marker})`);
  }
  for (const [route] of declared) {
    if (!functions.some((f) => path.relative(functionsDir, path.dirname(f)).replace(/\.func$/, '') === route))
      problems.push(`${route}: declares maxDuration but has no function`);
  }
  console.log(
    `  Build Output: ${functions.length} functions, ${scanned.size} files scanned for secrets; maxDuration declared by ${[...declared].map(([r, s]) => `${r} (${s} s)`).join(', ') || 'none'}`,
  );
  return problems;
}

build();
const problems = check();
if (problems.length) {
  for (const p of problems) console.error(`  ✗ ${p}`);
  process.exit(1);
}
console.log('  every function Node.js and streaming, maxDuration as declared, no server secret shipped');
