/**
 * The behaviour scripts/emulator/pilothouse_emulator/ adds to moto, seen through the real
 * AWS SDK clients: rollouts, circuit breaker, running counts, events, target health,
 * scaling activities.
 */
import {
  ApplicationAutoScalingClient,
  DescribeScalingActivitiesCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { beforeAll, describe, expect, it } from 'vitest';
import { listServiceTasks, listStoppedTasks } from '@/lib/aws/ecs';
import { deploymentFailures } from '@/model/task-failures';
import { control, emulatorClientConfig, eventually, seededEnvironment } from '../support/aws';

const REGION = 'ap-southeast-2'; // a region the seed does not use: these tests own it
const ecs = new ECSClient(emulatorClientConfig(REGION));
const revisions: string[] = [];

async function describe1(cluster: string, service: string): Promise<Service> {
  const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  return out.services![0];
}

async function createService(cluster: string, name: string, desiredCount: number, rollback = true) {
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  await ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: name,
      taskDefinition: revisions[0],
      desiredCount,
      launchType: 'FARGATE',
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback } },
    }),
  );
  return eventually(
    () => describe1(cluster, name),
    (s) => s.deployments![0].rolloutState === 'COMPLETED',
  );
}

const messages = (s: Service) => (s.events ?? []).map((e) => e.message!);

beforeAll(async () => {
  for (const image of ['app:1', 'app:2', 'app:3']) {
    const out = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'rollouts',
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'app', image, essential: true }],
      }),
    );
    revisions.push(out.taskDefinition!.taskDefinitionArn!);
  }
});

describe('ECS rollouts in the emulator', () => {
  it('starts a new service at 0 running tasks and rolls out to its desired count', async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: 'fresh' }));
    const created = await ecs.send(
      new CreateServiceCommand({
        cluster: 'fresh',
        serviceName: 'svc',
        taskDefinition: revisions[0],
        desiredCount: 3,
        launchType: 'FARGATE',
      }),
    );
    expect(created.service).toMatchObject({ runningCount: 0, desiredCount: 3 });
    expect(created.service!.deployments![0].rolloutState).toBe('IN_PROGRESS');

    const steady = await eventually(
      () => describe1('fresh', 'svc'),
      (s) => s.deployments![0].rolloutState === 'COMPLETED',
    );
    expect(steady).toMatchObject({ runningCount: 3, pendingCount: 0 });
    expect(messages(steady)[0]).toBe('(service svc) has reached a steady state.');
  });

  it('rolls a forced new deployment out: a second deployment, IN_PROGRESS, then COMPLETED alone', async () => {
    const before = await createService('force', 'api', 2);

    const updated = await ecs.send(
      new UpdateServiceCommand({ cluster: 'force', service: 'api', forceNewDeployment: true }),
    );
    const deployments = updated.service!.deployments!;
    expect(deployments.map((d) => [d.status, d.rolloutState])).toEqual([
      ['PRIMARY', 'IN_PROGRESS'],
      ['ACTIVE', 'COMPLETED'],
    ]);
    expect(deployments[0].id).not.toBe(before.deployments![0].id);
    expect(updated.service!.runningCount).toBe(2); // old tasks keep serving while new ones start

    const done = await eventually(
      () => describe1('force', 'api'),
      (s) => s.deployments!.length === 1 && s.deployments![0].rolloutState === 'COMPLETED',
    );
    expect(done.deployments![0].id).toBe(deployments[0].id);
    expect(done.runningCount).toBe(2);
    expect(messages(done)).toContain(`(service api) (deployment ${deployments[0].id}) deployment completed.`);
  });

  it('moves the running count toward a new desired count step by step, not at once', async () => {
    await createService('scale', 'worker', 1);

    const updated = await ecs.send(new UpdateServiceCommand({ cluster: 'scale', service: 'worker', desiredCount: 4 }));
    expect(updated.service).toMatchObject({ desiredCount: 4, runningCount: 1 });

    const done = await eventually(
      () => describe1('scale', 'worker'),
      (s) => s.runningCount === 4,
    );
    expect(messages(done).filter((m) => m.includes('has started 1 tasks')).length).toBeGreaterThanOrEqual(4);
  });

  it('fails a deployment whose tasks cannot start and rolls back to the last good task definition', async () => {
    await createService('breaker', 'api', 2);
    await control('ecs/failing-task-definition', { taskDefinitionArn: revisions[2] });

    const updated = await ecs.send(
      new UpdateServiceCommand({ cluster: 'breaker', service: 'api', taskDefinition: revisions[2] }),
    );
    const failedId = updated.service!.deployments![0].id!;

    const done = await eventually(
      () => describe1('breaker', 'api'),
      (s) =>
        messages(s).includes('(service api) has reached a steady state.') &&
        s.deployments!.length === 1 &&
        s.taskDefinition === revisions[0],
    );
    expect(messages(done)).toContain(
      `(service api) (deployment ${failedId}) deployment failed: tasks failed to start.`,
    );
    expect(messages(done).some((m) => m.startsWith('(service api) rolling back to deployment'))).toBe(true);
    expect(done).toMatchObject({ runningCount: 2, taskDefinition: revisions[0] });
  });

  it('leaves a failed deployment FAILED when the circuit breaker does not roll back', async () => {
    await createService('stuck', 'api', 2, false);
    await control('ecs/failing-task-definition', { taskDefinitionArn: revisions[1] });

    await ecs.send(new UpdateServiceCommand({ cluster: 'stuck', service: 'api', taskDefinition: revisions[1] }));

    const failed = await eventually(
      () => describe1('stuck', 'api'),
      (s) => s.deployments![0].rolloutState === 'FAILED',
    );
    expect(failed.deployments![0]).toMatchObject({ status: 'PRIMARY', failedTasks: 3, runningCount: 0 });
    expect(failed.deployments![0].rolloutStateReason).toMatch(/circuit breaker/);
    expect(failed.runningCount).toBe(2); // the old deployment still serves
    await control('ecs/failing-task-definition', { taskDefinitionArn: revisions[1], failing: false });
  });
});

describe('stopped tasks in the emulator, read through lib/aws/ecs', () => {
  it('keeps a failing task definition’s tasks as STOPPED with the stop reason and exit code, and the replaced ones as scheduler stops', async () => {
    const ec2 = new EC2Client(emulatorClientConfig(REGION));
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }));
    const subnet = await ec2.send(new CreateSubnetCommand({ VpcId: vpc.Vpc!.VpcId, CidrBlock: '10.9.1.0/24' }));
    const group = await ec2.send(
      new CreateSecurityGroupCommand({ VpcId: vpc.Vpc!.VpcId, GroupName: 'tasks', Description: 'tasks' }),
    );
    await ecs.send(new CreateClusterCommand({ clusterName: 'stops' }));
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'stops',
        serviceName: 'api',
        taskDefinition: revisions[0],
        desiredCount: 2,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: { subnets: [subnet.Subnet!.SubnetId!], securityGroups: [group.GroupId!] },
        },
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
      }),
    );
    await eventually(
      () => describe1('stops', 'api'),
      (s) => s.deployments![0].rolloutState === 'COMPLETED',
    );
    const env = {
      ...seededEnvironment('staging'),
      aws: { ...seededEnvironment('staging').aws, region: REGION },
      ecs: { cluster: 'stops', services: { api: 'api', worker: 'worker' } },
    };
    const client = new ECSClient(emulatorClientConfig(REGION));
    const [firstTask] = await listServiceTasks(env, 'api', client);
    expect(await listStoppedTasks(env, 'api', client)).toEqual([]);

    await control('ecs/failing-task-definition', {
      taskDefinitionArn: revisions[1],
      exitCode: 137,
      reason: 'OutOfMemoryError: Container killed due to memory usage',
    });
    const updated = await ecs.send(
      new UpdateServiceCommand({ cluster: 'stops', service: 'api', taskDefinition: revisions[1] }),
    );
    const failedId = updated.service!.deployments![0].id!;
    try {
      await eventually(
        () => describe1('stops', 'api'),
        (s) =>
          s.taskDefinition === revisions[0] &&
          s.deployments!.length === 1 &&
          s.deployments![0].rolloutState === 'COMPLETED',
      );
    } finally {
      await control('ecs/failing-task-definition', { taskDefinitionArn: revisions[1], failing: false });
    }

    const stopped = await listStoppedTasks(env, 'api', client);
    const failed = stopped.filter((t) => t.deploymentId === failedId);
    // ECS's circuit breaker threshold for 2 desired tasks is 3 failed tasks (at least 3).
    expect(failed).toHaveLength(3);
    for (const t of failed) {
      expect(t).toMatchObject({
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        taskDefinition: { revision: 2 },
      });
      expect(t.containers).toEqual([
        { name: 'app', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' },
      ]);
      expect(t.stoppedAt).not.toBeNull();
    }
    expect(deploymentFailures(stopped, failedId)).toEqual([
      expect.objectContaining({
        reason: 'Essential container in task exited',
        outcome: 'app exited 137: OutOfMemoryError: Container killed due to memory usage',
        count: 3,
      }),
    ]);
    // The rollback replaced the first deployment's tasks: stopped by the scheduler, exit 0.
    const replaced = stopped.find((t) => t.id === firstTask.id);
    expect(replaced).toMatchObject({
      stopCode: 'ServiceSchedulerInitiated',
      containers: [{ name: 'app', exitCode: 0, reason: null }],
    });
    expect(replaced!.stoppedReason).toMatch(/^Scaling activity initiated by \(deployment ecs-svc\/\d+\)$/);
    // Newest first, and the running list holds only running tasks (ECS lists RUNNING by default).
    expect(stopped.map((t) => t.stoppedAt)).toEqual([...stopped.map((t) => t.stoppedAt)].sort().reverse());
    expect((await listServiceTasks(env, 'api', client)).every((t) => t.lastStatus === 'RUNNING')).toBe(true);
  });
});

describe('ALB target health in the emulator', () => {
  it('reports a target made unhealthy with its reason, then healthy again', async () => {
    const env = seededEnvironment('staging');
    const elb = new ElasticLoadBalancingV2Client(emulatorClientConfig(env.aws.region));
    const TargetGroupArn = env.alb.targetGroupArns.api;
    const health = async () =>
      (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn }))).TargetHealthDescriptions!;
    const [first, second] = await health();
    expect(first.TargetHealth!.State).toBe('healthy');

    await control('elbv2/target-health', {
      targetGroupArn: TargetGroupArn,
      targetId: second.Target!.Id,
      state: 'unhealthy',
      reason: 'Target.ResponseCodeMismatch',
      description: 'Health checks failed with these codes: [503]',
    });
    try {
      const after = await health();
      expect(after.find((t) => t.Target!.Id === second.Target!.Id)!.TargetHealth).toEqual({
        State: 'unhealthy',
        Reason: 'Target.ResponseCodeMismatch',
        Description: 'Health checks failed with these codes: [503]',
      });
      expect(after.find((t) => t.Target!.Id === first.Target!.Id)!.TargetHealth!.State).toBe('healthy');
    } finally {
      await control('elbv2/target-health', {
        targetGroupArn: TargetGroupArn,
        targetId: second.Target!.Id,
        state: 'healthy',
      });
    }
    expect((await health()).every((t) => t.TargetHealth!.State === 'healthy')).toBe(true);
  });
});

describe('Application Auto Scaling in the emulator', () => {
  it('records the seeded scale-out of the production worker with its cause', async () => {
    const env = seededEnvironment('production');
    const aas = new ApplicationAutoScalingClient(emulatorClientConfig(env.aws.region));
    const out = await aas.send(
      new DescribeScalingActivitiesCommand({
        ServiceNamespace: 'ecs',
        ResourceId: `service/${env.ecs.cluster}/${env.ecs.services.worker}`,
      }),
    );
    expect(out.ScalingActivities).toHaveLength(1);
    expect(out.ScalingActivities![0]).toMatchObject({
      Description: 'Setting desired count to 4.',
      StatusCode: 'Successful',
    });
    expect(out.ScalingActivities![0].Cause).toMatch(/triggered policy pilothouse-production-worker-backlog/);
  });

  it('clamps a firing policy to the scalable target maximum and sets the ECS desired count', async () => {
    await createService('autoscaled', 'api', 1);
    const aas = new ApplicationAutoScalingClient(emulatorClientConfig(REGION));
    const ResourceId = 'service/autoscaled/api';
    await aas.send(
      new RegisterScalableTargetCommand({
        ServiceNamespace: 'ecs',
        ResourceId,
        ScalableDimension: 'ecs:service:DesiredCount',
        MinCapacity: 1,
        MaxCapacity: 3,
      }),
    );

    const fired = await control<{ desiredCount: number }>('autoscaling/fire', {
      region: REGION,
      resourceId: ResourceId,
      desiredCount: 9,
      cause: 'test alarm',
    });

    expect(fired.desiredCount).toBe(3);
    const activities = (await aas.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: 'ecs', ResourceId })))
      .ScalingActivities!;
    expect(activities[0]).toMatchObject({ Cause: 'test alarm', Description: 'Setting desired count to 3.' });
    expect(activities[0].StartTime).toBeInstanceOf(Date);
    await eventually(
      () => describe1('autoscaled', 'api'),
      (s) => s.desiredCount === 3 && s.runningCount === 3,
    );
  });

  it('refuses a control call for a scalable target that does not exist', async () => {
    await expect(
      control('autoscaling/fire', { region: REGION, resourceId: 'service/none/none', desiredCount: 2 }),
    ).rejects.toThrow(/no scalable target service\/none\/none/);
  });
});
