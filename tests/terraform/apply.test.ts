/**
 * The Terraform, applied: both environment roots (and bootstrap, whose outputs they take) are
 * validated by the AWS provider built from its Go module, applied to the AWS emulator, planned
 * again (the plan must be empty), read by the control plane's data layer through the registry
 * their `control_plane_environment` output makes, and destroyed.
 *
 * One emulator and one Redis of this file's own: the apply changes everything in them.
 */
import {
  BatchDeleteImageCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ListImagesCommand,
} from '@aws-sdk/client-ecr';
import { DescribeClustersCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { Redis } from 'ioredis';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCache } from '@/lib/cache';
import { parseRegistry, type Environment } from '@/lib/environments';
import { QUEUE_NAMES, SERVICE_ROLES, SSM_PARAMETER_KEYS } from '@/contracts/platform';
import { getEnvironmentSnapshot } from '@/lib/snapshot';
import { closeQueueRedis } from '@/lib/queue';
import { ROLE_SESSION_NAME } from '@/lib/aws/clients';
import {
  startGithubStandin,
  EMULATOR_CREDENTIALS,
  startEmulator,
  startRedis,
  type RunningServer,
  IMAGE_TAGS,
  seedOutOfBand,
  applyInfrastructure,
  registryEntry,
  ENVIRONMENT_ROOTS,
  tofu,
  TofuError,
  type AppliedInfrastructure,
} from '../../scripts/platform';
import { INFRA, loadHcl, loadTfvars } from '../support/hcl';

type ServiceSizes = Record<string, { min_count: number; max_count: number; desired_count: number }>;

const workDirs: string[] = [];
function workDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pilothouse-tofu-'));
  workDirs.push(dir);
  return dir;
}

let emulator: RunningServer;
let redis: RunningServer;
let applied: AppliedInfrastructure;

beforeAll(async () => {
  [emulator, redis] = await Promise.all([startEmulator({ taskStepSeconds: 0.1 }), startRedis()]);
  applied = await applyInfrastructure({ emulatorUrl: emulator.url, workDir: path.join(workDir(), 'infrastructure') });
});

afterAll(async () => {
  closeQueueRedis(); // the snapshot's queue reads, before their Redis goes
  await Promise.all([emulator?.stop(), redis?.stop()]);
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
});

describe('infrastructure/ applied to the AWS emulator', () => {
  it('applies bootstrap and both environments, and a plan right after finds nothing to change', async () => {
    // applyRoot fails on a non-empty second plan with the plan's text; here, what was applied.
    expect(applied.reports.map((r) => r.root)).toEqual([
      'bootstrap',
      ...ENVIRONMENT_ROOTS.map((n) => `environments/${n}`),
    ]);
    for (const name of ENVIRONMENT_ROOTS) {
      const state = JSON.parse((await tofu(applied.workDir, `environments/${name}`, ['show', '-json'])).stdout);
      const inState = new Set(stateResources(state.values.root_module).map((r) => r.type));
      // Every kind of resource the modules declare exists in the applied state: none skipped.
      const declared = new Set<string>();
      for (const moduleName of readdirSync(path.join(INFRA, 'modules'))) {
        Object.keys((await loadHcl(path.join(INFRA, 'modules', moduleName))).resource ?? {}).forEach((t) =>
          declared.add(t),
        );
      }
      expect(
        [...declared].filter((type) => !inState.has(type)),
        `${name}: declared but not applied`,
      ).toEqual([]);
    }
  });

  it('gives the control plane a registry it accepts, and the data layer finds every part in it', async () => {
    const github = await startGithubStandin({
      token: 'ghs_tofu',
      owner: applied.environments[0].github.owner,
      repo: applied.environments[0].github.repo,
      workflow: applied.environments[0].github.deployWorkflow,
      history: 1,
    });
    const cacheRedis = new Redis(`${redis.url}/5`);
    try {
      Object.assign(process.env, {
        GITHUB_TOKEN: 'ghs_tofu',
        GITHUB_API_URL: github.url,
        AWS_ENDPOINT_URL: emulator.url,
        AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
      });
      // What an operator does after the apply: write the secrets, push images, deploy.
      for (const env of applied.environments) await seedOutOfBand(env, emulator.url);
      // The output is the registry entry less the Redis URL (a secret), as the README says.
      const registry = parseRegistry(
        JSON.stringify({
          environments: applied.environments.map((env, i) => registryEntry(env, `${redis.url}/${i}`)),
        }),
        'the Terraform outputs',
      );

      for (const env of registry.environments) {
        const services = (await loadTfvars(env.name)).services as ServiceSizes;
        const callsBefore = await callsByAccessKey(emulator.url);
        const snapshot = await getEnvironmentSnapshot(env as Environment, createCache(cacheRedis));
        // Proven at the emulator, not assumed: every AWS call of that read was signed by the
        // role's session (STS's own AssumeRole call aside, made with the base keys).
        const [, account, roleName] = /^arn:aws:iam::(\d+):role\/(?:.*\/)?([^/]+)$/.exec(env.aws.roleArn!)!;
        const signers = callsSince(callsBefore, await callsByAccessKey(emulator.url));
        expect(signers.filter((s) => s.service !== 'sts').map((s) => s.principal)).toEqual(
          signers
            .filter((s) => s.service !== 'sts')
            .map(() => `arn:aws:sts::${account}:assumed-role/${roleName}/${ROLE_SESSION_NAME}`),
        );
        expect(new Set(signers.map((s) => s.service))).toEqual(
          new Set([
            'sts',
            'ecs',
            'elasticloadbalancing',
            'monitoring',
            'logs',
            'application-autoscaling',
            'ecr',
            'ssm',
          ]),
        );
        for (const part of [
          'ecs',
          'targets',
          'queues',
          'metrics',
          'scaling',
          'images',
          'parameters',
          'deployRuns',
        ] as const) {
          expect(snapshot[part].error, `${env.name} ${part}: ${JSON.stringify(snapshot[part].error)}`).toBeNull();
        }
        expect(env.aws.roleArn, 'the control plane reads through the role the Terraform made').toMatch(
          /:role\/pilothouse-.*control-plane$/,
        );
        expect(snapshot.ecs.value!.services.map((s) => [s.role, s.desiredCount])).toEqual(
          SERVICE_ROLES.map((role) => [role, services[role].desired_count]),
        );
        for (const role of SERVICE_ROLES) {
          expect(snapshot.scaling.value![role], `${env.name} ${role} scalable target`).toMatchObject({
            minCapacity: services[role].min_count,
            maxCapacity: services[role].max_count,
          });
          expect(snapshot.scaling.value![role]!.policies, `${env.name} ${role} scaling policy`).toHaveLength(1);
          expect(snapshot.images.value![role].repository).toBe(env.ecr.repositories[role]);
          expect(snapshot.images.value![role].images, `${env.name} ${role} images`).toHaveLength(IMAGE_TAGS);
        }
        const [targetGroup] = snapshot.targets.value!.targetGroups;
        expect(snapshot.targets.value!.targetGroups).toHaveLength(1);
        expect(targetGroup.arn).toBe(env.alb.targetGroupArns.api);
        expect(targetGroup.healthCheck.path).toBe('/api/health/');
        expect(
          snapshot.parameters.value!.filter((p) => !p.present).map((p) => p.key),
          `${env.name}: missing parameters`,
        ).toEqual([]);
        expect(snapshot.parameters.value!.map((p) => p.key).sort()).toEqual([...SSM_PARAMETER_KEYS].sort());
        expect(snapshot.queues.value!.map((q) => q.name)).toEqual([...QUEUE_NAMES]);
      }
    } finally {
      cacheRedis.disconnect();
      await github.close();
    }
  });

  it('refuses to destroy a repository that holds images; destroys every root once they are gone', async () => {
    // force_delete stays off on purpose: a destroy must not take the images a rollback needs.
    const refused = await applied.destroy().then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(TofuError);
    expect((refused as TofuError).output).toMatch(/RepositoryNotEmptyException/);

    for (const env of applied.environments) {
      const ecr = new ECRClient({ region: env.aws.region, endpoint: emulator.url, credentials: EMULATOR_CREDENTIALS });
      for (const repositoryName of Object.values(env.ecr.repositories)) {
        const { imageIds = [] } = await ecr.send(new ListImagesCommand({ repositoryName }));
        if (imageIds.length) await ecr.send(new BatchDeleteImageCommand({ repositoryName, imageIds }));
      }
    }
    await applied.destroy();

    for (const env of applied.environments) {
      const config = { region: env.aws.region, endpoint: emulator.url, credentials: EMULATOR_CREDENTIALS };
      const { clusters = [] } = await new ECSClient(config).send(
        new DescribeClustersCommand({ clusters: [env.ecs.cluster] }),
      );
      expect(
        clusters.filter((c) => c.status === 'ACTIVE'),
        `${env.name} cluster`,
      ).toEqual([]);
      const { LoadBalancers = [] } = await new ElasticLoadBalancingV2Client(config).send(
        new DescribeLoadBalancersCommand({}),
      );
      expect(LoadBalancers, `${env.name} load balancers`).toEqual([]);
      const { repositories = [] } = await new ECRClient(config).send(new DescribeRepositoriesCommand({}));
      expect(repositories, `${env.name} repositories`).toEqual([]);
    }
  });
});

type CallsByAccessKey = Record<string, { principal: string | null; byService: Record<string, number> }>;
/** AWS calls the emulator served, per access key that signed them, with the role session the key belongs to. */
async function callsByAccessKey(emulatorUrl: string): Promise<CallsByAccessKey> {
  const res = await fetch(`${emulatorUrl}/_pilothouse/requests/by-access-key`);
  return ((await res.json()) as { byAccessKey: CallsByAccessKey }).byAccessKey;
}
/** Who signed the calls made between two readings: one row per access key and service. */
function callsSince(before: CallsByAccessKey, after: CallsByAccessKey) {
  return Object.entries(after).flatMap(([key, { principal, byService }]) =>
    Object.entries(byService)
      .filter(([service, n]) => n > (before[key]?.byService[service] ?? 0))
      .map(([service]) => ({ key, principal, service })),
  );
}

type StateModule = { resources?: { type: string; address: string }[]; child_modules?: StateModule[] };
function stateResources(module: StateModule): { type: string; address: string }[] {
  return [...(module.resources ?? []), ...(module.child_modules ?? []).flatMap(stateResources)];
}
