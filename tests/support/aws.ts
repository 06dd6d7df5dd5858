/** SDK clients pointed at the test run's emulator, and a counter of the calls they make. */
import type { InitializeMiddleware, MetadataBearer, MiddlewareStack } from '@smithy/types';
import { inject } from 'vitest';
import { parseRegistry, type Environment } from '@/lib/environments';
import {
  artifactsBucket,
  controlEmulator,
  EMULATOR_CREDENTIALS,
  startGithubStandin,
  taskLogDestination,
} from '../../scripts/platform';
import type { ServiceRole } from '@/contracts/platform';

export function seededEnvironment(name: string): Environment {
  const env = parseRegistry(inject('registryJson'), 'seeded registry').environments.find((e) => e.name === name);
  if (!env) throw new Error(`no seeded environment ${name}`);
  return env;
}

/** Client config for the emulator; pass to any `new XClient(...)`. */
export function emulatorClientConfig(region: string) {
  return { region, endpoint: inject('emulatorUrl'), credentials: EMULATOR_CREDENTIALS };
}

/** Counts each command a client sends (retries of one command count once). */
export function countCommands<I extends object, O extends MetadataBearer>(client: {
  middlewareStack: MiddlewareStack<I, O>;
}): Map<string, number> {
  const counts = new Map<string, number>();
  const counter: InitializeMiddleware<I, O> = (next, context) => async (args) => {
    const name = context.commandName ?? 'unknown';
    counts.set(name, (counts.get(name) ?? 0) + 1);
    return next(args);
  };
  client.middlewareStack.add(counter, { step: 'initialize' });
  return counts;
}

export async function control<T = unknown>(route: string, body: object = {}): Promise<T> {
  return controlEmulator<T>(inject('emulatorUrl'), route, body);
}

export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Points the data layer of this test process at the run's emulator and a GitHub stand-in of
 * its own (lib/config reads these on first use, as `next start` gets them from the demo).
 */
export async function pointDataLayerAtLocalPlatform(token: string) {
  const { github: repo } = seededEnvironment('staging');
  const github = await startGithubStandin({
    token,
    owner: repo.owner,
    repo: repo.repo,
    workflow: repo.deployWorkflow,
    history: 2,
  });
  Object.assign(process.env, {
    GITHUB_TOKEN: token,
    GITHUB_API_URL: github.url,
    AWS_ENDPOINT_URL: inject('emulatorUrl'),
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
  });
  return github;
}

/** Where a local api or worker writes when it stands in for one of staging's running tasks (`index` in ListTasks order). */
export function standInLogs(role: ServiceRole, index = 0) {
  const staging = seededEnvironment('staging');
  return taskLogDestination({
    emulatorUrl: inject('emulatorUrl'),
    region: staging.aws.region,
    cluster: staging.ecs.cluster,
    role,
    index,
  });
}

/** What a local staging api or worker is started with: its Redis, the emulator and a key (`overrides` win). */
export function stagingServiceEnv(overrides: Record<string, string> = {}): Record<string, string> {
  const staging = seededEnvironment('staging');
  return {
    REDIS_URL: staging.queues.redisUrl,
    ARTIFACTS_BUCKET: artifactsBucket('staging'),
    AWS_REGION: staging.aws.region,
    AWS_ENDPOINT_URL: inject('emulatorUrl'),
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    API_KEYS: `test:${STAND_IN_API_KEY}`,
    WORKER_CONCURRENCY: '1',
    ENVIRONMENT: 'staging',
    LOG_LEVEL: 'info',
    ...overrides,
  };
}
/** The api key stagingServiceEnv gives the api (as `test`). */
export const STAND_IN_API_KEY = 'stand-in-test-key-0123456789';
