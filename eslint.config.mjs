import { defineConfig, globalIgnores } from 'eslint/config';
import prettier from 'eslint-config-prettier/flat';
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

/**
 * The import boundaries, said once here so they hold by themselves (README, "Where things are"):
 * - components/ and model/ run in the browser: no server-only lib/ (type imports are erased, so
 *   they may name a server type), no server packages;
 * - model/ is the browser-safe model and contracts/ what the control plane and the services
 *   share: neither reaches into the control plane's or the services' own code;
 * - worker/ (the services) shares only contracts/ with the control plane;
 * - lib/ is the server data layer: pages and components sit above it, never below;
 * - in the control plane, only lib/aws/ imports the AWS SDK, only lib/github.ts Octokit, and
 *   only the Redis modules ioredis and BullMQ;
 * - scripts/ (the local platform, benches, the test runner) is a tool: only scripts/ and
 *   tests/ use it.
 * tests/infra/boundaries.test.ts shows a violation of each failing the lint.
 */
const group = (names, message) => ({ group: names, message });
/** A folder of the repo, by the alias or by a relative path from up to three levels down. */
const folder = (name) => [`@/${name}/**`, `./${name}/**`, `../${name}/**`, `../../${name}/**`, `../../../${name}/**`];
const SCRIPTS = group(folder('scripts'), 'scripts/ is a tool of its own: only scripts/ and tests/ use it.');
const LIB = group(
  folder('lib'),
  'server-only: the browser and the shared model cannot import lib/ (a type import is fine).',
);
const UP_FROM_LIB = group(
  [...folder('app'), ...folder('components')],
  'lib/ is below the pages and components: pass data down, never import up.',
);
const CONTROL_PLANE = group(
  ['lib', 'model', 'components', 'app'].flatMap(folder),
  'the services share only contracts/ with the control plane.',
);
const SERVICES = group(
  folder('worker'),
  'the control plane does not import the services: what both need is in contracts/.',
);
const AWS = group(['@aws-sdk/*'], 'only lib/aws/ talks to AWS (the services keep their own few clients).');
const OCTOKIT = group(['@octokit/*'], 'only lib/github.ts talks to GitHub.');
const REDIS = group(['ioredis', 'bullmq'], 'only the Redis modules talk to Redis.');

const restrict = (...patterns) => ({
  '@typescript-eslint/no-restricted-imports': [
    'error',
    { patterns: patterns.map((p) => ({ ...p, allowTypeImports: true })) },
  ],
});
const REDIS_MODULES = [
  'lib/redis.ts',
  'lib/redis-lock.ts',
  'lib/cache.ts',
  'lib/live.ts',
  'lib/live-environments.ts',
  'lib/queue.ts',
  'lib/queue-rates.ts',
  'lib/job-search.ts',
  'lib/idempotency.ts',
  'lib/change-lock.ts',
  'lib/status-alerts.ts',
  'lib/audit.ts',
];

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  prettier,
  globalIgnores([
    '.next/**',
    '.vercel/**',
    '.venv/**',
    '.tools/**',
    'dist/**',
    '.local/**',
    'node_modules/**',
    'test-results/**',
    'playwright-report/**',
    'next-env.d.ts',
  ]),
  { files: ['app/**', 'proxy.ts', 'instrumentation.ts'], rules: restrict(SCRIPTS, SERVICES, AWS, OCTOKIT, REDIS) },
  { files: ['components/**'], rules: restrict(SCRIPTS, SERVICES, LIB, AWS, OCTOKIT, REDIS) },
  {
    files: ['model/**'],
    rules: restrict(
      SCRIPTS,
      SERVICES,
      LIB,
      group([...folder('components'), ...folder('app')], 'model/ is below the UI.'),
      AWS,
      OCTOKIT,
      REDIS,
    ),
  },
  { files: ['contracts/**'], rules: restrict(SCRIPTS, SERVICES, CONTROL_PLANE) },
  { files: ['worker/**'], rules: restrict(SCRIPTS, CONTROL_PLANE) },
  {
    files: ['lib/**'],
    ignores: ['lib/aws/**', 'lib/github.ts', ...REDIS_MODULES],
    rules: restrict(SCRIPTS, SERVICES, UP_FROM_LIB, AWS, OCTOKIT, REDIS),
  },
  { files: ['lib/aws/**'], rules: restrict(SCRIPTS, SERVICES, UP_FROM_LIB, OCTOKIT, REDIS) },
  { files: ['lib/github.ts'], rules: restrict(SCRIPTS, SERVICES, UP_FROM_LIB, AWS, REDIS) },
  { files: REDIS_MODULES, rules: restrict(SCRIPTS, SERVICES, UP_FROM_LIB, AWS, OCTOKIT) },
]);
