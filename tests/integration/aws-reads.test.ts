/** Each lib/aws module against the seeded emulator, through the real SDK clients. */
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { describeScaling } from '@/lib/aws/autoscaling';
import { getEnvironmentMetrics } from '@/lib/aws/cloudwatch';
import { listImages } from '@/lib/aws/ecr';
import { describeEnvironmentServices, listServiceTasks } from '@/lib/aws/ecs';
import { describeLoadBalancerHealth } from '@/lib/aws/elb';
import { describeParameters } from '@/lib/aws/ssm';
import { SSM_PARAMETER_KEYS } from '@/contracts/platform';
import { IMAGE_TAGS, METRIC_HISTORY_HOURS, SEEDED } from '../../scripts/platform';
import { control, countCommands, emulatorClientConfig, eventually, seededEnvironment } from '../support/aws';

describe('lib/aws/ecs deployments and events', () => {
  it('shows a steady service with one COMPLETED deployment and its steady-state event', async () => {
    const env = seededEnvironment('staging');
    const { services } = await describeEnvironmentServices(env, new ECSClient(emulatorClientConfig(env.aws.region)));
    const api = services.find((s) => s.role === 'api')!;
    expect(api.deployments).toHaveLength(1);
    expect(api.deployments[0]).toMatchObject({
      status: 'PRIMARY',
      rolloutState: 'COMPLETED',
      runningCount: 2,
      failedTasks: 0,
    });
    expect(api.circuitBreaker).toEqual({ enable: true, rollback: true });
    expect(api.events[0].message).toBe('(service api) has reached a steady state.');
  });

  it('shows a deployment in progress: PRIMARY first, the old one ACTIVE', async () => {
    const region = 'ca-central-1';
    const ecs = new ECSClient(emulatorClientConfig(region));
    await ecs.send(new CreateClusterCommand({ clusterName: 'reads' }));
    const tds = [];
    for (const image of ['a:1', 'a:2']) {
      tds.push(
        (
          await ecs.send(
            new RegisterTaskDefinitionCommand({
              family: 'reads-api',
              containerDefinitions: [{ name: 'api', image, memory: 128 }],
            }),
          )
        ).taskDefinition!.taskDefinitionArn!,
      );
    }
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'reads',
        serviceName: 'api',
        taskDefinition: tds[0],
        desiredCount: 10,
        launchType: 'FARGATE',
      }),
    );
    const env = {
      ...seededEnvironment('staging'),
      aws: { region },
      ecs: { cluster: 'reads', services: { api: 'api', worker: 'worker' } },
    };
    await eventually(
      () => describeEnvironmentServices(env, ecs),
      (r) => r.services[0]?.rolloutState === 'COMPLETED',
    );

    await ecs.send(new UpdateServiceCommand({ cluster: 'reads', service: 'api', taskDefinition: tds[1] }));
    const { services, missing } = await describeEnvironmentServices(env, ecs);

    expect(missing).toEqual(['worker']);
    expect(services[0].deployments.map((d) => [d.status, d.rolloutState, d.taskDefinition?.revision])).toEqual([
      ['PRIMARY', 'IN_PROGRESS', 2],
      ['ACTIVE', 'COMPLETED', 1],
    ]);
    expect(services[0].rolloutState).toBe('IN_PROGRESS');
  });
});

describe('lib/aws/ecs tasks', () => {
  it('lists a service’s running tasks with health, start time and the deployment that started them', async () => {
    const env = seededEnvironment('production');
    const ecs = new ECSClient(emulatorClientConfig(env.aws.region));
    const [api, worker] = await Promise.all([listServiceTasks(env, 'api', ecs), listServiceTasks(env, 'worker', ecs)]);
    const { services } = await describeEnvironmentServices(env, ecs);

    expect(api).toHaveLength(SEEDED.production.desired.api);
    expect(worker).toHaveLength(SEEDED.production.desired.worker);
    for (const task of api) {
      expect(task).toMatchObject({
        lastStatus: 'RUNNING',
        desiredStatus: 'RUNNING',
        healthStatus: 'HEALTHY',
        deploymentId: services[0].deployments[0].id,
      });
      expect(task.taskDefinition).toMatchObject({ family: 'pilothouse-production-api', revision: 3 });
      expect(Date.parse(task.startedAt!)).toBeLessThanOrEqual(Date.now());
      expect(task.privateIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    }
  });
});

describe('lib/aws/elb', () => {
  it('reads the ALB, its target group with the health check, and every target healthy', async () => {
    const env = seededEnvironment('staging');
    const health = await describeLoadBalancerHealth(
      env,
      new ElasticLoadBalancingV2Client(emulatorClientConfig(env.aws.region)),
    );
    expect(health.loadBalancer).toMatchObject({ name: 'pilothouse-staging', state: 'active' });
    expect(health.targetGroups).toHaveLength(1);
    expect(health.targetGroups[0]).toMatchObject({
      name: 'pilothouse-staging-api',
      port: 8000,
      healthCheck: { path: '/api/health/', healthyThreshold: 2 },
    });
    expect(health.targetGroups[0].targets.map((t) => t.state)).toEqual(['healthy', 'healthy']);
  });

  it('reports an unhealthy target with its reason', async () => {
    const env = seededEnvironment('production');
    const client = new ElasticLoadBalancingV2Client(emulatorClientConfig(env.aws.region));
    const target = (await describeLoadBalancerHealth(env, client)).targetGroups[0].targets[0];
    await control('elbv2/target-health', {
      targetGroupArn: env.alb.targetGroupArns.api,
      targetId: target.id,
      state: 'unhealthy',
      reason: 'Target.Timeout',
      description: 'Request timed out',
    });
    try {
      const targets = (await describeLoadBalancerHealth(env, client)).targetGroups[0].targets;
      expect(targets.find((t) => t.id === target.id)).toMatchObject({
        state: 'unhealthy',
        reason: 'Target.Timeout',
        description: 'Request timed out',
      });
      expect(targets.filter((t) => t.state === 'healthy')).toHaveLength(SEEDED.production.desired.api - 1);
    } finally {
      await control('elbv2/target-health', {
        targetGroupArn: env.alb.targetGroupArns.api,
        targetId: target.id,
        state: 'healthy',
      });
    }
  });
});

describe('lib/aws/autoscaling', () => {
  it('reads bounds, the policy of each service and the recorded scaling activity', async () => {
    const env = seededEnvironment('production');
    const scaling = await describeScaling(env, new ApplicationAutoScalingClient(emulatorClientConfig(env.aws.region)));
    expect(scaling.api).toMatchObject({ minCapacity: 3, maxCapacity: 12, activities: [] });
    expect(scaling.api!.policies).toEqual([
      {
        name: 'pilothouse-production-api-cpu',
        type: 'TargetTrackingScaling',
        targetValue: 60,
        metric: 'ECSServiceAverageCPUUtilization',
      },
    ]);
    expect(scaling.worker!.policies[0]).toMatchObject({ metric: 'Jobs waiting per worker task', targetValue: 20 });
    expect(scaling.worker!.activities).toHaveLength(1);
    expect(scaling.worker!.activities[0]).toMatchObject({
      description: 'Setting desired count to 4.',
      status: 'Successful',
    });
  });

  it('shows a service with no scalable target as null, not as zero bounds', async () => {
    const env = {
      ...seededEnvironment('staging'),
      ecs: { cluster: 'pilothouse-staging', services: { api: 'api', worker: 'not-scaled' } },
    };
    const scaling = await describeScaling(env, new ApplicationAutoScalingClient(emulatorClientConfig(env.aws.region)));
    expect(scaling.worker).toBeNull();
    expect(scaling.api).not.toBeNull();
  });
});

describe('lib/aws/ecr', () => {
  it('lists each repository’s images newest first, and an empty repository as empty', async () => {
    const env = seededEnvironment('staging');
    const ecr = new ECRClient(emulatorClientConfig(env.aws.region));
    const images = await listImages(env, ecr);
    expect(images.api.images).toHaveLength(IMAGE_TAGS);
    const pushed = images.api.images.map((i) => i.pushedAt!);
    expect([...pushed].sort().reverse()).toEqual(pushed);
    expect(images.api.images.every((i) => i.tags.length === 1 && /^[0-9a-f]{40}$/.test(i.tags[0]))).toBe(true);

    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'empty/worker' }));
    const empty = await listImages(
      { ...env, ecr: { repositories: { api: env.ecr.repositories.api, worker: 'empty/worker' } } },
      ecr,
    );
    expect(empty.worker.images).toEqual([]);
  });
});

describe('lib/aws/ssm', () => {
  it('lists the nine expected parameters with type and version, never their values', async () => {
    const env = seededEnvironment('staging');
    const params = await describeParameters(env, new SSMClient(emulatorClientConfig(env.aws.region)));
    expect(params.map((p) => p.key)).toEqual([...SSM_PARAMETER_KEYS]);
    expect(params.every((p) => p.present && p.type === 'SecureString' && p.version === 1)).toBe(true);
    expect(JSON.stringify(params)).not.toContain('placeholder');
  });

  it('marks a missing parameter as missing', async () => {
    const region = 'eu-west-1';
    const ssm = new SSMClient(emulatorClientConfig(region));
    for (const key of SSM_PARAMETER_KEYS.filter((k) => k !== 'SENTRY_DSN')) {
      await ssm.send(new PutParameterCommand({ Name: `/pilothouse/partial/${key}`, Type: 'SecureString', Value: 'x' }));
    }
    const env = { ...seededEnvironment('staging'), ssm: { prefix: '/pilothouse/partial/' } };
    const params = await describeParameters(env, ssm);
    expect(params.filter((p) => !p.present).map((p) => p.key)).toEqual(['SENTRY_DSN']);
  });
});

describe('lib/aws/cloudwatch', () => {
  it('fetches every series of the view in one GetMetricData call', async () => {
    const env = seededEnvironment('staging');
    const client = new CloudWatchClient(emulatorClientConfig(env.aws.region));
    const calls = countCommands(client);

    const metrics = await getEnvironmentMetrics(env, METRIC_HISTORY_HOURS * 60, client);

    expect(Object.fromEntries(calls)).toEqual({ GetMetricDataCommand: 1 });
    expect(metrics.periodSeconds).toBe(60);
    const byId = Object.fromEntries(metrics.series.map((s) => [s.id, s]));
    const present = (id: keyof typeof byId) => byId[id].values.filter((v) => v !== null);
    for (const id of ['api_cpu', 'worker_memory', 'requests', 'latency_p50', 'latency_p99', 'healthy_hosts'] as const) {
      expect(present(id).length, id).toBeGreaterThan(170);
    }
    // One time axis for all: the period slots from `start` to now.
    expect(metrics.start % 60).toBe(0);
    for (const series of metrics.series) expect(series.values.length).toBe(byId.requests.values.length);
    expect(present('healthy_hosts').every((v) => v === SEEDED.staging.desired.api)).toBe(true);
    const p50 = byId.latency_p50.values;
    const p99 = byId.latency_p99.values;
    expect(p99.every((v, i) => v === null || p50[i] === null || v >= p50[i])).toBe(true);
    const p50Present = present('latency_p50') as number[];
    expect(Math.max(...p50Present)).toBeLessThan(250); // ms: seeded response times are 50–200 ms
  });

  it('chooses a coarser period for a longer range', async () => {
    const env = seededEnvironment('staging');
    const metrics = await getEnvironmentMetrics(
      env,
      24 * 60,
      new CloudWatchClient(emulatorClientConfig(env.aws.region)),
    );
    expect(metrics.periodSeconds).toBe(300);
    const requests = metrics.series.find((s) => s.id === 'requests')!;
    const present = requests.values.filter((v) => v !== null);
    expect(present.length).toBeGreaterThanOrEqual(36);
    expect(present.length).toBeLessThanOrEqual(38);
  });
});
