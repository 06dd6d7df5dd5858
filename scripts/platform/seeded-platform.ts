/**
 * The whole local platform in one call: redis-server and the AWS emulator on free ports,
 * the emulator seeded with both environments, the environment registry written to a file,
 * and (optionally) the control plane built and started against it. Used by `npm run demo`
 * and by the end-to-end tests, so both see the same platform.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  controlEmulator,
  EMULATOR_CREDENTIALS,
  ROOT,
  freePort,
  isNewerThanSources,
  spawnGroup,
  startEmulator,
  startRedis,
  stopProcessGroup,
  type RedisOptions,
  type RunningServer,
} from './local-platform';
import { startGithubStandin } from './github-standin';
import { seedOutOfBand, seedPlatform } from './seed';
import { applyInfrastructure, registryEntry } from './terraform-emulator';

/** The token the local GitHub stand-in accepts: not a secret, it opens nothing outside this machine. */
const LOCAL_GITHUB_TOKEN = 'ghs_local_standin_token';

/**
 * The people who can sign in locally (through the stand-in's OAuth page) and what they are,
 * by GitHub team: an operator of both environments, a viewer of both, an operator of staging
 * with no role in production, and someone in no team (refused at sign-in).
 */
export const LOCAL_USERS = {
  operator: { login: 'olivia-ops', id: 5_001, name: 'Olivia Ops', note: 'operator of staging and production' },
  viewer: { login: 'victor-viewer', id: 5_002, name: 'Victor Viewer', note: 'viewer of staging and production' },
  stagingOperator: { login: 'sam-staging', id: 5_003, name: 'Sam Staging', note: 'operator of staging only' },
  outsider: { login: 'mallory-outside', id: 5_004, name: 'Mallory Outside', note: 'in no team: refused' },
} as const;
const ORG = 'pilothouse-dev';
const LOCAL_TEAMS = {
  [`${ORG}/platform-oncall`]: [LOCAL_USERS.operator.login],
  [`${ORG}/staging-deployers`]: [LOCAL_USERS.stagingOperator.login],
  [`${ORG}/engineering`]: [LOCAL_USERS.operator.login, LOCAL_USERS.viewer.login],
};
/** Each environment's roles, by team (the registry's `access`). */
const LOCAL_ACCESS: Record<
  string,
  { operators: { teams: string[]; logins: string[] }; viewers: { teams: string[]; logins: string[] } }
> = {
  staging: {
    operators: { teams: [`${ORG}/platform-oncall`, `${ORG}/staging-deployers`], logins: [] },
    viewers: { teams: [`${ORG}/engineering`], logins: [] },
  },
  production: {
    operators: { teams: [`${ORG}/platform-oncall`], logins: [] },
    viewers: { teams: [`${ORG}/engineering`], logins: [] },
  },
};
/** The local OAuth app: its secret opens only the stand-in on this machine. */
const LOCAL_OAUTH_APP = { clientId: 'Ov23li-pilothouse-local', clientSecret: 'local-standin-oauth-secret' };

export type Step = (name: string) => () => void;

/** Logs "name ..." then "name: done in N ms"; returns the function that ends the step. */
export function timedStep(log: (line: string) => void): Step {
  return (name) => {
    const started = Date.now();
    log(`▸ ${name} ...`);
    return () => log(`  ${name}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  };
}

/** The environment registry (lib/environments.ts) of the local platform, hand-seeded or applied. */
type LocalRegistry = {
  environments: ((
    Awaited<ReturnType<typeof seedPlatform>>['environments'][number] | ReturnType<typeof registryEntry>
  ) & { access?: (typeof LOCAL_ACCESS)[string] })[];
};

export type SeededPlatform = {
  redis: RunningServer & { dir: string };
  emulator: RunningServer;
  registryFile: string;
  registry: LocalRegistry;
  /** The local GitHub stand-in: records dispatches, reports runs. */
  github: Awaited<ReturnType<typeof startGithubStandin>>;
  /** Environment for processes that talk to this platform (the control plane, the services). */
  env: Record<string, string>;
  stop: () => Promise<void>;
};

export async function startSeededPlatform(options: {
  stateDir: string;
  step: Step;
  taskStepSeconds?: number;
  /** Apply infrastructure/ with OpenTofu instead of seeding its resources by hand (needs `ensure-tools.sh --infra`). */
  terraform?: boolean;
  /** How redis-server runs (a test that restarts it wants its append-only file). */
  redis?: RedisOptions;
}): Promise<SeededPlatform> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn();
  };
  try {
    let done = options.step('starting redis-server and the AWS emulator (moto)');
    const [redis, emulator] = await Promise.all([
      startRedis(options.redis),
      startEmulator({ taskStepSeconds: options.taskStepSeconds }),
    ]);
    stops.push(redis.stop, emulator.stop);
    done();

    let registry: LocalRegistry;
    if (options.terraform) {
      done = options.step(`applying infrastructure/ to the emulator at ${emulator.url} (OpenTofu, a few minutes)`);
      const applied = await applyInfrastructure({
        emulatorUrl: emulator.url,
        workDir: path.join(options.stateDir, 'infrastructure'),
        log: console.log,
      });
      for (const env of applied.environments) await seedOutOfBand(env, emulator.url);
      const { settled } = await controlEmulator<{ settled: boolean }>(emulator.url, 'ecs/settle');
      if (!settled) throw new Error('the emulator did not settle the deploys');
      registry = { environments: applied.environments.map((env, i) => registryEntry(env, `${redis.url}/${i}`)) };
    } else {
      done = options.step(`seeding the emulator at ${emulator.url}`);
      registry = await seedPlatform({ emulatorUrl: emulator.url, redisUrl: redis.url });
    }
    for (const env of registry.environments) env.access = LOCAL_ACCESS[env.name];
    const { owner, repo, deployWorkflow } = registry.environments[0].github;
    const github = await startGithubStandin({
      token: LOCAL_GITHUB_TOKEN,
      owner,
      repo,
      workflow: deployWorkflow,
      supportsRunDetails: true,
      history: 4,
      historyEnvironments: registry.environments.map((e) => e.name),
      oauth: { ...LOCAL_OAUTH_APP, users: Object.values(LOCAL_USERS), teams: LOCAL_TEAMS },
    });
    stops.push(github.close);
    mkdirSync(options.stateDir, { recursive: true });
    const registryFile = path.join(options.stateDir, 'environments.json');
    writeFileSync(registryFile, JSON.stringify(registry, null, 2));
    done();

    return {
      redis,
      emulator,
      registryFile,
      registry,
      github,
      env: {
        PILOTHOUSE_ENVIRONMENTS_FILE: registryFile,
        REDIS_URL: redis.url,
        GITHUB_TOKEN: LOCAL_GITHUB_TOKEN,
        GITHUB_API_URL: github.url,
        GITHUB_OAUTH_URL: github.url,
        GITHUB_OAUTH_CLIENT_ID: LOCAL_OAUTH_APP.clientId,
        GITHUB_OAUTH_CLIENT_SECRET: LOCAL_OAUTH_APP.clientSecret,
        // A fresh key per start: sessions end with the platform.
        NEXTAUTH_SECRET: randomBytes(32).toString('base64'),
        // What Vercel Cron would send to /api/cron/status (curl it with this as a bearer token).
        CRON_SECRET: randomBytes(24).toString('base64url'),
        AWS_ENDPOINT_URL: emulator.url,
        AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

const NEXT_BIN = path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');
const SOURCES = [
  'app',
  'components',
  'contracts',
  'lib',
  'model',
  'proxy.ts',
  'instrumentation.ts',
  'next.config.js',
  'postcss.config.mjs',
  'package-lock.json',
  'tsconfig.json',
];

/** True when .next holds a production build newer than every source file. */
export function buildIsFresh(): boolean {
  return isNewerThanSources(
    path.join(ROOT, '.next', 'BUILD_ID'),
    SOURCES.map((s) => path.join(ROOT, s)),
  );
}

function run(command: string, args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    child.stdout.on('data', (d) => output.push(String(d)));
    child.stderr.on('data', (d) => output.push(String(d)));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (${code}):\n${output.join('')}`)),
    );
  });
}

export async function buildControlPlane(step: Step): Promise<void> {
  if (buildIsFresh()) {
    console.log('▸ control plane build is up to date (next build skipped)');
    return;
  }
  const done = step('building the control plane (next build)');
  await run(process.execPath, [NEXT_BIN, 'build'], { NEXT_TELEMETRY_DISABLED: '1' });
  done();
}

/** Starts `next start` on 127.0.0.1 and resolves once the overview answers. */
export async function startControlPlane(
  platform: SeededPlatform,
  options: { port?: number; step: Step; inspect?: boolean },
): Promise<RunningServer & { inspectors: string[]; output: () => string }> {
  const port = options.port ?? (await freePort());
  const done = options.step(`starting the control plane on port ${port}`);
  const child = spawnGroup(process.execPath, [NEXT_BIN, 'start', '--hostname', '127.0.0.1', '--port', String(port)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ...platform.env,
      NEXTAUTH_URL: `http://127.0.0.1:${port}`,
      NEXT_TELEMETRY_DISABLED: '1',
      NODE_ENV: 'production',
      // The load test reads the server's heap after a full GC through the inspector (loopback only).
      ...(options.inspect ? { NODE_OPTIONS: '--inspect=127.0.0.1:0' } : {}),
    },
  });
  const output: string[] = [];
  /** The inspector of each process of the server (next start, and any it forks). */
  const inspectors: string[] = [];
  const collect = (d: Buffer) => {
    output.push(String(d));
    for (const match of String(d).matchAll(/Debugger listening on (ws:\/\/\S+)/g)) inspectors.push(match[1]);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode}):\n${output.join('')}`);
    try {
      // The sign-in page: public, and served by the same server as everything else.
      const res = await fetch(`${url}/api/auth/signin`, { signal: AbortSignal.timeout(10_000) });
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stopProcessGroup(child);
      throw new Error(`the control plane did not answer at ${url} within 60 s:\n${output.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  done();
  // Its log (stdout and stderr) so far: a test can see what the server itself observed.
  return { pid: child.pid!, port, url, inspectors, output: () => output.join(''), stop: () => stopProcessGroup(child) };
}
