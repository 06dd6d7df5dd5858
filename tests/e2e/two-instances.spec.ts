/**
 * Actions on two control-plane instances (two `next start` processes, one Redis), as Vercel
 * runs many: the same Idempotency-Key sent to both runs once, and two operators acting on one
 * target through different instances get one success and one 409. The parties really contend:
 * AWS is held (an HTTP proxy that answers nothing) while the first action is inside its ECS
 * call, so the second arrives while the first holds the key and the target's turn.
 */
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { expect, test } from '@playwright/test';
import { Redis } from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { keys as redisKeys } from '@/contracts/keys';
import {
  controlEmulator,
  EMULATOR_CREDENTIALS,
  LOCAL_USERS,
  SEEDED,
  signInWithStandin,
  startControlPlane,
  startSeededPlatform,
  type SeededPlatform,
} from '../../scripts/platform';
import { startAwsFaultProxy, type AwsFaultProxy } from '../support/aws-fault-proxy';

let platform: SeededPlatform;
let stateDir: string;
let awsProxy: AwsFaultProxy;
let instances: Awaited<ReturnType<typeof startControlPlane>>[] = [];
let audit: Redis;
const cookies: Partial<Record<'operator' | 'stagingOperator', string>> = {};

test.beforeAll(async () => {
  test.setTimeout(180_000);
  stateDir = mkdtempSync(path.join(tmpdir(), 'pilothouse-two-instances-'));
  platform = await startSeededPlatform({ stateDir, step: () => () => {} });
  awsProxy = await startAwsFaultProxy({ host: '127.0.0.1', port: platform.emulator.port });
  const behindProxy = { ...platform, env: { ...platform.env, AWS_ENDPOINT_URL: awsProxy.url } };
  instances = [
    await startControlPlane(behindProxy, { step: () => () => {} }),
    await startControlPlane(behindProxy, { step: () => () => {} }),
  ];
  // One session secret for both (as on Vercel): a cookie from one instance is good on the other.
  for (const who of ['operator', 'stagingOperator'] as const)
    cookies[who] = await signInWithStandin(instances[0].url, LOCAL_USERS[who].login);
  audit = new Redis(platform.redis.url);
});
test.afterAll(async () => {
  audit?.disconnect();
  for (const instance of instances) await instance.stop();
  await awsProxy?.stop();
  await platform?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

function redeploy(instance: number, who: 'operator' | 'stagingOperator', key: string) {
  const url = instances[instance].url;
  return fetch(`${url}/api/environments/staging/services/api`, {
    method: 'POST',
    headers: { cookie: cookies[who]!, origin: url, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ action: 'redeploy' }),
  }).then(async (response) => ({
    status: response.status,
    replayed: response.headers.get('idempotent-replayed') === 'true',
    body: (await response.json()) as { requestId?: string; deploymentId?: string; error?: { message: string } },
  }));
}

/** Staging api's deployments as ECS has them, read past the proxy. */
async function deploymentIds(): Promise<string[]> {
  const entry = platform.registry.environments.find((e) => e.name === 'staging')!;
  const ecs = new ECSClient({
    region: SEEDED.staging.region,
    endpoint: platform.emulator.url,
    credentials: EMULATOR_CREDENTIALS,
  });
  try {
    const { services } = await ecs.send(
      new DescribeServicesCommand({ cluster: entry.ecs.cluster, services: [entry.ecs.services.api] }),
    );
    return services![0].deployments!.map((d) => d.id!);
  } finally {
    ecs.destroy();
  }
}

/** Waits until an action holds its Idempotency-Key (claimed before it takes the target's turn, whose ECS check the held AWS keeps it in). */
async function holding(who: 'operator' | 'stagingOperator', key: string) {
  await expect.poll(async () => audit.exists(redisKeys.idempotency(LOCAL_USERS[who].login, key))).toBe(1);
}

test('the same Idempotency-Key on both instances runs once: the second answers 409 while the first runs, then its answer', async () => {
  const before = await deploymentIds();
  const key = `two-instances-${Date.now()}`;
  awsProxy.hang();
  let first: ReturnType<typeof redeploy>;
  let second: Awaited<ReturnType<typeof redeploy>>;
  try {
    first = redeploy(0, 'operator', key);
    await holding('operator', key);
    second = await redeploy(1, 'operator', key);
  } finally {
    awsProxy.pass(); // the held calls are cut; the SDK's retries go through
  }
  expect(second.status, JSON.stringify(second.body)).toBe(409);
  expect(second.body.error!.message).toBe('the same request is still running');
  const done = await first;
  expect(done.status, JSON.stringify(done.body)).toBe(200);
  // Once answered, the key gives the first answer on either instance, and nothing runs again.
  const again = await redeploy(1, 'operator', key);
  expect(again).toMatchObject({ status: 200, replayed: true, body: { deploymentId: done.body.deploymentId } });
  const added = (await deploymentIds()).filter((id) => !before.includes(id));
  expect(added, 'deployments the key made').toEqual([done.body.deploymentId]);
});

test('two operators on two instances redeploying one service at once: one succeeds, the other gets 409 naming who is changing it', async () => {
  // The first test's redeploy rolled out to the end: the service is not busy.
  await controlEmulator(platform.emulator.url, 'ecs/settle', {});
  const before = await deploymentIds();
  const keys = { operator: `olivia-${Date.now()}`, stagingOperator: `sam-${Date.now()}` };
  awsProxy.hang();
  let answers: ReturnType<typeof redeploy>[];
  try {
    // Both past their own key and inside the target's turn check (an ECS read, held) before AWS answers again.
    answers = [redeploy(0, 'operator', keys.operator), redeploy(1, 'stagingOperator', keys.stagingOperator)];
    await holding('operator', keys.operator);
    await holding('stagingOperator', keys.stagingOperator);
  } finally {
    awsProxy.pass();
  }
  const [olivia, sam] = await Promise.all(answers);
  const statuses = [olivia.status, sam.status];
  expect([...statuses].sort(), JSON.stringify([olivia.body, sam.body])).toEqual([200, 409]);
  const [winner, loser, winnerLogin] =
    olivia.status === 200
      ? [olivia, sam, LOCAL_USERS.operator.login]
      : [sam, olivia, LOCAL_USERS.stagingOperator.login];
  expect(loser.body.error!.message).toContain(winnerLogin);
  const added = (await deploymentIds()).filter((id) => !before.includes(id));
  expect(added, 'deployments the two made').toEqual([winner.body.deploymentId]);
});
