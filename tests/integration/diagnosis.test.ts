/**
 * "Why is it unhealthy?" against six scripted faults, each made through the emulator's control
 * API and the real services (the built api and worker, standing in for staging's tasks and
 * shipping their output into the emulator's CloudWatch Logs). After each, the control plane's
 * own data layer reads the snapshot (every source fresh), records the status as the refresher
 * does, and model/diagnosis.ts ranks the suspects: the top one must be the cause. Between
 * faults the platform is put back and judged healthy again, as an incident ends.
 *
 * Changes staging (services, targets, a parameter): it runs in the shared-state project, one
 * file at a time. The faults run in order, the circuit breaker's last (its rollback keeps the
 * environment degraded for 30 minutes).
 */
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { Redis } from 'ioredis';
import { createServer, Socket, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCache } from '@/lib/cache';
import { getEnvironmentSnapshot } from '@/lib/snapshot';
import { trackStatus } from '@/lib/status-alerts';
import { closeQueueRedis } from '@/lib/queue';
import { closeRedis } from '@/lib/redis';
import { environmentStatus, ERRORS_ONGOING_MS } from '@/model/status';
import { diagnose, type Diagnosis } from '@/model/diagnosis';
import type { EnvironmentSnapshot } from '@/model/schemas/snapshot';
import {
  freePort,
  SEEDED,
  startApi,
  startTargetSite,
  startWorker,
  type TargetSite,
  type ServiceProcess,
  type startGithubStandin,
} from '../../scripts/platform';
import {
  control,
  emulatorClientConfig,
  eventually,
  pointDataLayerAtLocalPlatform,
  seededEnvironment,
  STAND_IN_API_KEY,
  standInLogs,
  stagingServiceEnv,
} from '../support/aws';

const env = () => seededEnvironment('staging');
const CONTROL_PLANE_DB = 15;
let github: Awaited<ReturnType<typeof startGithubStandin>>;
let redis: Redis;
let ecs: ECSClient;
let ssm: SSMClient;
let api: (ServiceProcess & { url: string }) | undefined;
let worker: ServiceProcess | undefined;
let site: TargetSite;
let redisProxy: { port: number; open: () => Promise<void>; cut: () => Promise<void>; close: () => Promise<void> };
const results: { fault: string; expected: string; top: string; first: boolean }[] = [];

/** A TCP proxy between the worker and Redis: cut, the worker cannot reach Redis; opened again, it can. */
async function tcpProxy(target: { host: string; port: number }) {
  const port = await freePort();
  let server: Server | null = null;
  const sockets = new Set<Socket>();
  const open = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = new Socket();
        sockets.add(client).add(upstream);
        upstream.connect(target.port, target.host);
        client.pipe(upstream).pipe(client);
        for (const s of [client, upstream]) {
          s.on('error', () => {});
          s.on('close', () => {
            sockets.delete(s);
            client.destroy();
            upstream.destroy();
          });
        }
      });
      server.listen(port, '127.0.0.1', () => resolve());
    });
  const cut = async () => {
    const closing = server ? new Promise<void>((resolve) => server!.close(() => resolve())) : Promise.resolve();
    for (const s of sockets) s.destroy();
    await closing;
    server = null;
  };
  await open();
  return { port, open, cut, close: cut };
}

const redisTarget = () => {
  const url = new URL(inject('redisUrl'));
  return { host: url.hostname, port: Number(url.port) };
};
const queueDb = () => new URL(env().queues.redisUrl).pathname; // "/0"

/** A staging service on this Redis, allowed to render the test's site. */
const serviceEnv = (redisUrl: string) => stagingServiceEnv({ REDIS_URL: redisUrl, WORKER_URL_ALLOWLIST: site.host });
const standIn = (role: 'api' | 'worker') => standInLogs(role);

async function startWorkerProcess() {
  worker = await startWorker(serviceEnv(`redis://127.0.0.1:${redisProxy.port}${queueDb()}`), {
    logs: await standIn('worker'),
  });
}
async function startApiProcess(redisUrl = env().queues.redisUrl) {
  api = await startApi(serviceEnv(redisUrl), { logs: await standIn('api') });
}

/**
 * The snapshot as a page would read it with nothing cached, the status recorded as the refresher
 * records it; `asOf` judges the status at a later moment (healthyAgain, below).
 */
async function readSnapshot(asOf?: number): Promise<EnvironmentSnapshot> {
  const stale = await redis.keys('ph:cache:*');
  if (stale.length) await redis.del(...stale);
  const read = await getEnvironmentSnapshot(env(), createCache(redis));
  const snapshot = asOf === undefined ? read : { ...read, status: environmentStatus(read, asOf) };
  await trackStatus(env(), snapshot.status, { redis, webhookUrl: '' });
  return snapshot;
}

async function diagnosisWhen(done: (d: Diagnosis) => boolean, timeoutMs = 30_000): Promise<Diagnosis> {
  const found = await eventually(
    async () => diagnose(await readSnapshot(), Date.now()),
    (d) => d !== null && done(d),
    timeoutMs,
  );
  return found!;
}

/** No error line for this long: the fault's errors have stopped (a worker reconnecting writes one every second or two). */
const ERRORS_QUIET_MS = 5_000;

/**
 * Healthy again once the fault is undone. A service's repeated error keeps the environment
 * degraded until ERRORS_ONGOING_MS after its last line (model/status.ts): rather than sit out
 * that minute, wait until the services have written no error line for ERRORS_QUIET_MS, then
 * judge the snapshot as of ERRORS_ONGOING_MS after the last one. Every other rule is judged on
 * what is really there (a still-failing service writes new lines, and the wait goes on).
 */
async function healthyAgain(timeoutMs = 120_000) {
  const lastErrorLine = (s: EnvironmentSnapshot) =>
    Math.max(0, ...(s.topErrors.value?.groups ?? []).map((g) => Date.parse(g.lastSeen)));
  await eventually(
    async () => {
      const now = Date.now();
      const read = await readSnapshot();
      const last = lastErrorLine(read);
      if (read.status.status === 'healthy' || now - last < ERRORS_QUIET_MS) return read;
      return readSnapshot(Math.max(now, last + ERRORS_ONGOING_MS + 1));
    },
    (s) => s.status.status === 'healthy',
    timeoutMs,
  );
}

/** Waits until the fault has shown (the panel is up with this evidence), then records whether the top suspect is the cause. */
async function judge(
  fault: string,
  expected: string,
  isCause: (top: Diagnosis['suspects'][number]) => boolean,
  shown: (d: Diagnosis) => boolean,
) {
  const diagnosis = await diagnosisWhen(shown);
  const top = diagnosis.suspects[0];
  results.push({ fault, expected, top: top ? `${top.kind}: ${top.title}` : '(none)', first: !!top && isCause(top) });
  return diagnosis;
}

async function addJob() {
  const res = await fetch(`${api!.url}/api/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${STAND_IN_API_KEY}` },
    body: JSON.stringify({ kind: 'scrape', input: { url: `${site.url}/`, selectors: ['h1'] } }),
  });
  expect(res.status).toBe(202);
}

beforeAll(async () => {
  github = await pointDataLayerAtLocalPlatform('ghs_diagnosis');
  process.env.REDIS_URL = `${inject('redisUrl')}/${CONTROL_PLANE_DB}`;
  redis = new Redis(process.env.REDIS_URL);
  await redis.flushdb();
  ecs = new ECSClient(emulatorClientConfig(env().aws.region));
  ssm = new SSMClient(emulatorClientConfig(env().aws.region));
  redisProxy = await tcpProxy(redisTarget());
  site = await startTargetSite();
  await Promise.all([startApiProcess(), startWorkerProcess()]);
  await healthyAgain();
}, 180_000);

afterAll(async () => {
  await Promise.all([api?.stop(), worker?.stop()]);
  await redisProxy?.close();
  await site?.close();
  ecs?.destroy();
  ssm?.destroy();
  redis?.disconnect();
  closeRedis();
  closeQueueRedis();
  await github?.close();
  console.log(
    `diagnosis: ${results.filter((r) => r.first).length} of ${results.length} faults rank the cause first\n` +
      results.map((r) => `  ${r.first ? '✓' : '✗'} ${r.fault}: expected ${r.expected}; top was ${r.top}`).join('\n'),
  );
});

describe('the diagnosis ranks the cause of each scripted fault first', () => {
  it('a target made unhealthy', async () => {
    const staging = env();
    const group = staging.alb.targetGroupArns.api;
    const snapshot = await readSnapshot();
    const target = snapshot.targets.value!.targetGroups[0].targets[0];
    await control('elbv2/target-health', {
      region: staging.aws.region,
      targetGroupArn: group,
      targetId: target.id,
      state: 'unhealthy',
      reason: 'Target.ResponseCodeMismatch',
      description: 'Health checks failed with these codes: [502]',
    });
    try {
      const d = await judge(
        'target unhealthy',
        `target ${target.id}`,
        (top) => top.kind === 'target' && top.title.includes(target.id),
        (d) => d.unhealthyTargets.length > 0,
      );
      expect(d.suspects[0]).toMatchObject({ kind: 'target', service: 'api' });
      expect(d.suspects[0].evidence.join(' ')).toContain('Health checks failed with these codes: [502]');
      expect(d.unhealthyTargets[0]).toMatchObject({ id: target.id, reason: 'Target.ResponseCodeMismatch' });
    } finally {
      await control('elbv2/target-health', {
        region: staging.aws.region,
        targetGroupArn: group,
        targetId: target.id,
        state: 'healthy',
      });
    }
    await healthyAgain();
  });

  it('the api scaled to zero', async () => {
    const { cluster, services } = env().ecs;
    await ecs.send(new UpdateServiceCommand({ cluster, service: services.api, desiredCount: 0 }));
    try {
      const d = await judge(
        'api scaled to zero',
        'api at 0 tasks',
        (top) => top.kind === 'scaled-to-zero' && top.service === 'api',
        (d) => d.status === 'down',
      );
      expect(d.rule).toBe('api: scaled to 0 tasks, nothing serves requests');
    } finally {
      await ecs.send(
        new UpdateServiceCommand({ cluster, service: services.api, desiredCount: SEEDED.staging.desired.api }),
      );
    }
    await healthyAgain();
  });

  it('a queue with no consumer', async () => {
    await worker!.stop();
    worker = undefined;
    await addJob();
    try {
      await judge(
        'queue with no consumer',
        'queue scrape',
        (top) => top.kind === 'queue' && top.title.startsWith('queue scrape'),
        (d) => d.status === 'down' && d.suspects.some((s) => s.kind === 'queue'),
      );
    } finally {
      await startWorkerProcess();
    }
    await healthyAgain();
  });

  it('Redis unreachable from the worker', async () => {
    await redisProxy.cut();
    try {
      await addJob();
      await judge(
        'Redis unreachable from the worker',
        'the worker cannot reach Redis',
        (top) => top.kind === 'redis',
        (d) => d.suspects.some((s) => s.kind === 'redis') && d.status === 'down',
      );
    } finally {
      await redisProxy.open();
    }
    await healthyAgain(150_000);
  }, 240_000);

  it('a changed SSM parameter that makes the api fail', async () => {
    const name = `${env().ssm.prefix}REDIS_URL`;
    const good = (await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }))).Parameter!.Value!;
    await ssm.send(
      new PutParameterCommand({ Name: name, Value: 'redis://127.0.0.1:1/0', Overwrite: true, Type: 'SecureString' }),
    );
    try {
      await api!.stop();
      api = undefined;
      // ECS starts the api's tasks with the parameter's value at start-up; with this one each
      // exits at once, and ECS replaces it: five times here, each a real start of the built api.
      const value = (await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }))).Parameter!.Value!;
      for (let i = 0; i < 5; i++) {
        const logs = await standIn('api');
        await expect(startApi(serviceEnv(value), { logs })).rejects.toThrow(/api exited \(1\)/);
        await control('ecs/task-exited', { taskArn: logs.taskArn, exitCode: 1 });
        await eventually(
          () =>
            ecs.send(new DescribeServicesCommand({ cluster: env().ecs.cluster, services: [env().ecs.services.api] })),
          (out) => out.services![0].runningCount === SEEDED.staging.desired.api,
        );
      }
      await judge(
        'SSM parameter changed',
        'parameter REDIS_URL',
        (top) => top.kind === 'parameter' && top.title.includes('REDIS_URL'),
        (d) => d.suspects.some((s) => s.kind === 'parameter'),
      );
    } finally {
      await ssm.send(new PutParameterCommand({ Name: name, Value: good, Overwrite: true, Type: 'SecureString' }));
      if (!api) await startApiProcess();
    }
    await healthyAgain(150_000);
  }, 240_000);

  it('a deploy of a bad image (its tasks exit 1), rolled back by the circuit breaker', async () => {
    const { cluster, services } = env().ecs;
    const running = (await ecs.send(new DescribeServicesCommand({ cluster, services: [services.api] }))).services![0];
    const current = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: running.taskDefinition! })))
      .taskDefinition!;
    const image = current.containerDefinitions![0].image!.replace(/:[^:]+$/, ':does-not-start');
    const bad = (
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: current.family!,
          requiresCompatibilities: current.requiresCompatibilities,
          networkMode: current.networkMode,
          cpu: current.cpu,
          memory: current.memory,
          containerDefinitions: [{ ...current.containerDefinitions![0], image }],
        }),
      )
    ).taskDefinition!;
    await control('ecs/failing-task-definition', {
      taskDefinitionArn: bad.taskDefinitionArn,
      exitCode: 1,
      reason: 'Error: Cannot find module /app/dist/worker/main-api.js',
    });
    try {
      await ecs.send(
        new UpdateServiceCommand({ cluster, service: services.api, taskDefinition: bad.taskDefinitionArn }),
      );
      const d = await judge(
        'bad image deployed',
        `the deployment of :${bad.revision}`,
        (top) =>
          top.kind === 'deployment' &&
          top.title.includes(`(revision :${bad.revision})`) &&
          !top.title.includes('rollback'),
        (d) =>
          d.suspects.some((s) => s.kind === 'deployment' && s.title.includes(`:${bad.revision}`)) &&
          d.stoppedTasks.length >= 3,
      );
      expect(d.suspects[0].evidence.join(' ')).toMatch(/of its tasks stopped \(exit 1\)/);
    } finally {
      await control('ecs/failing-task-definition', { taskDefinitionArn: bad.taskDefinitionArn, failing: false });
    }
  });

  it('ranks the cause first in every fault', () => {
    expect(results).toHaveLength(6);
    expect(results.filter((r) => !r.first)).toEqual([]);
  });
});
