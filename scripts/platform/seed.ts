/**
 * Seeds the AWS emulator, for each environment, with what the Terraform creates in AWS, made
 * by hand here so `npm run demo` starts in seconds (scripts/platform/terraform-emulator.ts applies the
 * real Terraform instead, and `seedOutOfBand` then adds only what the Terraform does not make):
 * network, ALB and target group with registered targets, ECR repositories and images,
 * the SSM parameters, task definitions (several revisions, so rollback has somewhere to
 * go), the ECS cluster and its `api` and `worker` services, Application Auto Scaling
 * targets and policies, and a few hours of CloudWatch metric history.
 * Returns the environment registry that points the control plane at it.
 *
 * This is the only code outside lib/aws that uses the AWS SDK: it plays the Terraform's part.
 */
import {
  ApplicationAutoScalingClient,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { createHash } from 'node:crypto';
import {
  DEPLOY_WORKFLOW,
  ECS_EVENTS_RETENTION_DAYS,
  ecsEventsLogGroup,
  ecsHistoryRules,
  PROJECT,
  serviceLogGroup,
  QUEUE_NAMES,
  SERVICE_ROLES,
  SERVICE_SECRET_KEYS,
  SSM_PARAMETER_KEYS,
  ssmPrefix,
  WORKER_BACKLOG_METRIC,
  WORKER_OLDEST_WAITING_METRIC,
  WORKER_BACKLOG_PER_TASK_EXPRESSION,
  type ServiceRole,
} from '../../contracts/platform';
import { DEPLOYED_COMMITS, deployedImageTags } from './demo-repository';
import { controlEmulator, EMULATOR_CREDENTIALS } from './local-platform';

/** What each seeded environment looks like; tests compare the dashboard against this. */
export const SEEDED = {
  staging: {
    region: 'eu-west-1',
    cidr: '10.10',
    production: false,
    desired: { api: 2, worker: 1 },
    bounds: { api: [2, 6], worker: [1, 8] },
  },
  production: {
    region: 'us-east-1',
    cidr: '10.20',
    production: true,
    // The worker is created at 3 and a seeded scaling activity takes it to 4.
    desired: { api: 3, worker: 4 },
    bounds: { api: [3, 12], worker: [2, 20] },
  },
} as const satisfies Record<
  string,
  {
    region: string;
    cidr: string;
    production: boolean;
    desired: Record<ServiceRole, number>;
    bounds: Record<ServiceRole, readonly [number, number]>;
  }
>;
export type SeededEnvironmentName = keyof typeof SEEDED;

export const TASK_DEFINITION_REVISIONS = 3;
export const IMAGE_TAGS = DEPLOYED_COMMITS.staging.length;
export const METRIC_HISTORY_HOURS = 3;
const API_PORT = 8000;

export function artifactsBucket(environment: string): string {
  return `${PROJECT}-${environment}-artifacts`;
}

export type SeedOptions = { emulatorUrl: string; redisUrl: string; log?: (line: string) => void };

export async function seedPlatform({ emulatorUrl, redisUrl, log = () => {} }: SeedOptions) {
  const environments = [];
  const entries = Object.entries(SEEDED) as [SeededEnvironmentName, (typeof SEEDED)[SeededEnvironmentName]][];
  for (const [index, [name, spec]] of entries.entries()) {
    const started = Date.now();
    // One Redis serves every local environment; each gets a database of its own (0, 1, ...).
    environments.push(await seedEnvironment(name, spec, emulatorUrl, `${redisUrl}/${index}`));
    log(`  seeded ${name} (${spec.region}) in ${Date.now() - started} ms`);
  }
  // Run every first rollout to its end so the dashboard opens on a steady platform.
  const { settled } = await controlEmulator<{ settled: boolean }>(emulatorUrl, 'ecs/settle');
  if (!settled) throw new Error('the emulator did not settle the seeded services');
  return { environments };
}

async function seedEnvironment(
  name: SeededEnvironmentName,
  spec: (typeof SEEDED)[SeededEnvironmentName],
  endpoint: string,
  redisUrl: string,
) {
  const config = { region: spec.region, endpoint, credentials: EMULATOR_CREDENTIALS };
  const ec2 = new EC2Client(config);
  const elb = new ElasticLoadBalancingV2Client(config);
  const ecr = new ECRClient(config);
  const ssm = new SSMClient(config);
  const ecs = new ECSClient(config);
  const scaling = new ApplicationAutoScalingClient(config);
  const cloudwatch = new CloudWatchClient(config);
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const prefix = `${PROJECT}-${name}`;

  // Artifacts the worker writes (screenshots, PDFs, scrape results), under jobs/{jobId}/.
  await s3.send(
    new CreateBucketCommand({
      Bucket: artifactsBucket(name),
      ...(spec.region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: spec.region } }),
    }),
  );

  // Network (modules/vpc): two public subnets for the ALB, two private ones for tasks.
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: `${spec.cidr}.0.0/16` }));
  const vpcId = vpc.Vpc!.VpcId!;
  const subnet = async (i: number) =>
    (
      await ec2.send(
        new CreateSubnetCommand({
          VpcId: vpcId,
          CidrBlock: `${spec.cidr}.${i}.0/24`,
          AvailabilityZone: `${spec.region}${'ab'[i % 2]}`,
        }),
      )
    ).Subnet!.SubnetId!;
  const publicSubnets = [await subnet(0), await subnet(1)];
  const privateSubnets = [await subnet(10), await subnet(11)];
  const sg = await ec2.send(
    new CreateSecurityGroupCommand({ GroupName: `${prefix}-tasks`, Description: 'ECS tasks', VpcId: vpcId }),
  );

  // Load balancer (modules/alb): the api's target group, health check on /api/health/.
  const lb = await elb.send(
    new CreateLoadBalancerCommand({
      Name: prefix,
      Subnets: publicSubnets,
      Scheme: 'internet-facing',
      Type: 'application',
    }),
  );
  const loadBalancerArn = lb.LoadBalancers![0].LoadBalancerArn!;
  const tg = await elb.send(
    new CreateTargetGroupCommand({
      Name: `${prefix}-api`,
      Protocol: 'HTTP',
      Port: API_PORT,
      VpcId: vpcId,
      TargetType: 'ip',
      HealthCheckPath: '/api/health/',
      HealthCheckIntervalSeconds: 15,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 3,
    }),
  );
  const targetGroupArn = tg.TargetGroups![0].TargetGroupArn!;
  await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: loadBalancerArn,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
    }),
  );
  await elb.send(
    new RegisterTargetsCommand({
      TargetGroupArn: targetGroupArn,
      Targets: Array.from({ length: spec.desired.api }, (_, i) => ({
        Id: `${spec.cidr}.10.${11 + i}`,
        Port: API_PORT,
      })),
    }),
  );

  // Repositories (modules/ecr), then the images the deploy workflow would have pushed.
  const repositories = {} as Record<ServiceRole, { name: string; uri: string }>;
  for (const role of SERVICE_ROLES) {
    const repo = await ecr.send(new CreateRepositoryCommand({ repositoryName: `${prefix}/${role}` }));
    repositories[role] = { name: repo.repository!.repositoryName!, uri: repo.repository!.repositoryUri! };
  }
  const imageTags = await pushImages(ecr, name, repositories);
  await putParameters(ssm, name);

  // ECS (modules/ecs): a cluster, task definition revisions, the two Fargate services.
  const { cluster } = await ecs.send(new CreateClusterCommand({ clusterName: prefix }));
  // Logs (modules/ecs): one group per service, and the group ECS's events are kept in for 30 days.
  const logs = new CloudWatchLogsClient(config);
  for (const role of SERVICE_ROLES)
    await logs.send(new CreateLogGroupCommand({ logGroupName: serviceLogGroup(prefix, role) }));
  await logs.send(new CreateLogGroupCommand({ logGroupName: ecsEventsLogGroup(prefix) }));
  await logs.send(
    new PutRetentionPolicyCommand({
      logGroupName: ecsEventsLogGroup(prefix),
      retentionInDays: ECS_EVENTS_RETENTION_DAYS,
    }),
  );
  // EventBridge (modules/ecs): ECS's task-stopped and deployment events into that group, from the first rollout on.
  const events = new EventBridgeClient(config);
  const serviceArns = SERVICE_ROLES.map((role) => cluster!.clusterArn!.replace(':cluster/', ':service/') + `/${role}`);
  for (const [rule, pattern] of Object.entries(ecsHistoryRules(cluster!.clusterArn!, serviceArns))) {
    await events.send(new PutRuleCommand({ Name: `${prefix}-ecs-${rule}`, EventPattern: JSON.stringify(pattern) }));
    await events.send(
      new PutTargetsCommand({
        Rule: `${prefix}-ecs-${rule}`,
        Targets: [
          {
            Id: 'history',
            Arn: `arn:aws:logs:${spec.region}:123456789012:log-group:${ecsEventsLogGroup(prefix)}`,
          },
        ],
      }),
    );
  }
  const services = {} as Record<ServiceRole, string>;
  for (const role of SERVICE_ROLES) {
    const family = `${prefix}-${role}`;
    const revisions = imageTags.slice(-TASK_DEFINITION_REVISIONS);
    let taskDefinitionArn = '';
    for (const [i, tag] of revisions.entries()) {
      // The newest revision grew: the api got more CPU and memory, the worker a new setting,
      // so a rollback's preview has something to show.
      const newest = i === revisions.length - 1;
      const td = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family,
          requiresCompatibilities: ['FARGATE'],
          networkMode: 'awsvpc',
          cpu: role === 'worker' ? '1024' : newest ? '512' : '256',
          memory: role === 'worker' ? '2048' : newest ? '1024' : '512',
          containerDefinitions: [
            {
              name: role,
              image: `${repositories[role].uri}:${tag}`,
              essential: true,
              environment: [
                { name: 'NODE_ENV', value: 'production' },
                { name: 'LOG_LEVEL', value: 'info' },
                ...(role === 'worker' && newest ? [{ name: 'PDF_DEFAULT_MARGIN_MM', value: '10' }] : []),
              ],
              portMappings: role === 'api' ? [{ containerPort: API_PORT, protocol: 'tcp' }] : [],
              secrets: SERVICE_SECRET_KEYS[role].map((key) => ({
                name: key,
                valueFrom: `arn:aws:ssm:${spec.region}:123456789012:parameter${ssmPrefix(name)}${key}`,
              })),
            },
          ],
        }),
      );
      taskDefinitionArn = td.taskDefinition!.taskDefinitionArn!;
    }
    const service = `${role}`;
    const initialDesired = name === 'production' && role === 'worker' ? 3 : spec.desired[role];
    await ecs.send(
      new CreateServiceCommand({
        cluster: prefix,
        serviceName: service,
        taskDefinition: taskDefinitionArn,
        desiredCount: initialDesired,
        launchType: 'FARGATE',
        deploymentConfiguration: {
          minimumHealthyPercent: 100,
          maximumPercent: 200,
          deploymentCircuitBreaker: { enable: true, rollback: true },
        },
        networkConfiguration: {
          awsvpcConfiguration: { subnets: privateSubnets, securityGroups: [sg.GroupId!], assignPublicIp: 'DISABLED' },
        },
        loadBalancers: role === 'api' ? [{ targetGroupArn, containerName: 'api', containerPort: API_PORT }] : undefined,
      }),
    );
    services[role] = service;

    // Auto scaling: CPU target tracking for the api, queue backlog per task for the worker.
    const resourceId = `service/${prefix}/${service}`;
    const [min, max] = spec.bounds[role];
    await scaling.send(
      new RegisterScalableTargetCommand({
        ServiceNamespace: 'ecs',
        ResourceId: resourceId,
        ScalableDimension: 'ecs:service:DesiredCount',
        MinCapacity: min,
        MaxCapacity: max,
      }),
    );
    await scaling.send(
      new PutScalingPolicyCommand({
        PolicyName: `${prefix}-${role}-${role === 'api' ? 'cpu' : 'backlog'}`,
        ServiceNamespace: 'ecs',
        ResourceId: resourceId,
        ScalableDimension: 'ecs:service:DesiredCount',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration:
          role === 'api'
            ? {
                TargetValue: 60,
                PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
                ScaleInCooldown: 300,
                ScaleOutCooldown: 60,
              }
            : {
                // As infrastructure/modules/ecs: jobs waiting (published by the worker) per running task.
                TargetValue: 20,
                CustomizedMetricSpecification: {
                  Metrics: [
                    {
                      Id: 'backlog',
                      ReturnData: false,
                      MetricStat: {
                        Stat: 'Average',
                        Metric: {
                          Namespace: WORKER_BACKLOG_METRIC.namespace,
                          MetricName: WORKER_BACKLOG_METRIC.name,
                          Dimensions: [{ Name: 'Environment', Value: name }],
                        },
                      },
                    },
                    {
                      Id: 'tasks',
                      ReturnData: false,
                      MetricStat: {
                        Stat: 'Average',
                        Metric: {
                          Namespace: 'ECS/ContainerInsights',
                          MetricName: 'RunningTaskCount',
                          Dimensions: [
                            { Name: 'ClusterName', Value: prefix },
                            { Name: 'ServiceName', Value: 'worker' },
                          ],
                        },
                      },
                    },
                    {
                      Id: 'backlog_per_task',
                      Label: 'Jobs waiting per worker task',
                      Expression: WORKER_BACKLOG_PER_TASK_EXPRESSION,
                      ReturnData: true,
                    },
                  ],
                },
                ScaleInCooldown: 300,
                ScaleOutCooldown: 60,
              },
      }),
    );
    if (initialDesired !== spec.desired[role]) {
      await controlEmulator(endpoint, 'autoscaling/fire', {
        region: spec.region,
        resourceId,
        desiredCount: spec.desired[role],
        cause: `monitor alarm TargetTracking-${resourceId}-AlarmHigh in state ALARM triggered policy ${prefix}-${role}-backlog`,
      });
    }
  }

  await putMetricHistory(cloudwatch, name, prefix, loadBalancerArn, targetGroupArn, spec.desired.api);

  return {
    name,
    production: spec.production,
    aws: { region: spec.region },
    ecs: { cluster: prefix, services },
    logs: {
      groups: { api: serviceLogGroup(prefix, 'api'), worker: serviceLogGroup(prefix, 'worker') },
      events: ecsEventsLogGroup(prefix),
    },
    alb: { loadBalancerArn, targetGroupArns: { api: targetGroupArn } },
    ecr: { repositories: { api: repositories.api.name, worker: repositories.worker.name } },
    ssm: { prefix: ssmPrefix(name) },
    artifacts: { bucket: artifactsBucket(name) },
    queues: { names: [...QUEUE_NAMES], redisUrl },
    github: { owner: 'pilothouse-dev', repo: PROJECT, deployWorkflow: DEPLOY_WORKFLOW },
  };
}

/**
 * Images tagged with full commit SHAs, as the deploy workflow pushes them: the demo repository's
 * commits (scripts/platform/demo-repository.ts), so the GitHub stand-in can compare what runs with a ref.
 * Returns the tags, newest last.
 */
async function pushImages(
  ecr: ECRClient,
  name: string,
  repositories: Record<ServiceRole, { name: string }>,
): Promise<string[]> {
  const imageTags =
    name in DEPLOYED_COMMITS
      ? deployedImageTags(name as keyof typeof DEPLOYED_COMMITS)
      : Array.from({ length: IMAGE_TAGS }, (_, i) => sha(`${name}-${i}`).slice(0, 40));
  for (const role of SERVICE_ROLES) {
    for (const tag of imageTags) {
      await ecr.send(
        new PutImageCommand({
          repositoryName: repositories[role].name,
          imageTag: tag,
          imageManifest: imageManifest(`${role}-${tag}`),
        }),
      );
    }
  }
  return imageTags;
}

/** The SSM parameters (placeholders), written out of band as an operator does (README: apply). */
async function putParameters(ssm: SSMClient, name: string, kmsKeyId?: string): Promise<void> {
  for (const key of SSM_PARAMETER_KEYS) {
    await ssm.send(
      new PutParameterCommand({
        Name: `${ssmPrefix(name)}${key}`,
        Type: 'SecureString',
        Value: `placeholder-${key.toLowerCase()}`,
        KeyId: kmsKeyId,
      }),
    );
  }
}

/** An environment the Terraform applied: its `control_plane_environment` output and its SSM key. */
export type OutOfBandTarget = {
  name: string;
  aws: { region: string };
  ecs: { cluster: string; services: Record<ServiceRole, string> };
  alb: { loadBalancerArn: string; targetGroupArns: { api: string } };
  ecr: { repositories: Record<ServiceRole, string> };
  ssmKmsKeyArn: string;
};

/**
 * What the Terraform does not create, for an environment it applied: the SSM parameter values
 * (written with the environment's key), images in its repositories, deploys of them (task
 * definition revisions registered from the Terraform's, as deploy.yml does, the newest rolled
 * out) and metric history.
 */
export async function seedOutOfBand(env: OutOfBandTarget, emulatorUrl: string): Promise<void> {
  const config = { region: env.aws.region, endpoint: emulatorUrl, credentials: EMULATOR_CREDENTIALS };
  const ecr = new ECRClient(config);
  const ecs = new ECSClient(config);
  const repositories = {} as Record<ServiceRole, { name: string; uri: string }>;
  for (const role of SERVICE_ROLES) {
    const { repositories: [repo] = [] } = await ecr.send(
      new DescribeRepositoriesCommand({ repositoryNames: [env.ecr.repositories[role]] }),
    );
    repositories[role] = { name: repo.repositoryName!, uri: repo.repositoryUri! };
  }
  const imageTags = await pushImages(ecr, env.name, repositories);
  await putParameters(new SSMClient(config), env.name, env.ssmKmsKeyArn);
  let apiTasks = 0;
  for (const role of SERVICE_ROLES) {
    const { services: [service] = [] } = await ecs.send(
      new DescribeServicesCommand({ cluster: env.ecs.cluster, services: [env.ecs.services[role]] }),
    );
    const { taskDefinition: current } = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition! }),
    );
    let latest = '';
    for (const tag of imageTags.slice(-TASK_DEFINITION_REVISIONS)) {
      const registered = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: current!.family!,
          requiresCompatibilities: current!.requiresCompatibilities,
          networkMode: current!.networkMode,
          cpu: current!.cpu,
          memory: current!.memory,
          executionRoleArn: current!.executionRoleArn,
          taskRoleArn: current!.taskRoleArn,
          containerDefinitions: current!.containerDefinitions!.map((c) => ({
            ...c,
            image: `${repositories[role].uri}:${tag}`,
          })),
        }),
      );
      latest = registered.taskDefinition!.taskDefinitionArn!;
    }
    await ecs.send(
      new UpdateServiceCommand({ cluster: env.ecs.cluster, service: service.serviceName!, taskDefinition: latest }),
    );
    if (role === 'api') apiTasks = service.desiredCount ?? 0;
  }
  await putMetricHistory(
    new CloudWatchClient(config),
    env.name,
    env.ecs.cluster,
    env.alb.loadBalancerArn,
    env.alb.targetGroupArns.api,
    apiTasks,
  );
}

/** Each queue's share of the seeded backlog, in QUEUE_NAMES order. */
export const QUEUE_BACKLOG_SHARES = [0.5, 0.3, 0.2] as const;

/** Minute-by-minute history of the metrics the dashboard charts, with a daily-looking wave and noise. */
async function putMetricHistory(
  cloudwatch: CloudWatchClient,
  name: string,
  cluster: string,
  loadBalancerArn: string,
  targetGroupArn: string,
  apiTasks: number,
) {
  const random = mulberry32(name.length * 7919);
  // CloudWatch's ALB dimensions are the ARN suffixes: app/name/id and targetgroup/name/id.
  const lbDim = { Name: 'LoadBalancer', Value: loadBalancerArn.split(':loadbalancer/')[1] };
  const tgDim = { Name: 'TargetGroup', Value: targetGroupArn.split(':')[5] };
  const data: MetricDatum[] = [];
  const now = Date.now();
  const minutes = METRIC_HISTORY_HOURS * 60;
  for (let m = minutes; m >= 1; m--) {
    const Timestamp = new Date(now - m * 60_000);
    const wave = 0.5 + 0.5 * Math.sin((m / minutes) * Math.PI * 2);
    for (const role of SERVICE_ROLES) {
      const dims = [
        { Name: 'ClusterName', Value: cluster },
        { Name: 'ServiceName', Value: role },
      ];
      const base = role === 'api' ? 25 : 55;
      data.push(
        {
          MetricName: 'CPUUtilization',
          Dimensions: dims,
          Timestamp,
          Unit: 'Percent',
          Value: round(base + 30 * wave + 8 * random()),
        },
        {
          MetricName: 'MemoryUtilization',
          Dimensions: dims,
          Timestamp,
          Unit: 'Percent',
          Value: round(base + 10 + 5 * random()),
        },
      );
    }
    const requests = Math.round(600 + 900 * wave + 200 * random());
    data.push(
      { MetricName: 'RequestCount', Dimensions: [lbDim, tgDim], Timestamp, Unit: 'Count', Value: requests },
      {
        MetricName: 'HTTPCode_Target_5XX_Count',
        Dimensions: [lbDim, tgDim],
        Timestamp,
        Unit: 'Count',
        Value: random() < 0.1 ? Math.round(random() * 12) : 0,
      },
      {
        MetricName: 'TargetResponseTime',
        Dimensions: [lbDim, tgDim],
        Timestamp,
        Unit: 'Seconds',
        Value: round(0.05 + 0.15 * wave * random(), 4),
      },
      { MetricName: 'HealthyHostCount', Dimensions: [lbDim, tgDim], Timestamp, Unit: 'Count', Value: apiTasks },
      { MetricName: 'UnHealthyHostCount', Dimensions: [lbDim, tgDim], Timestamp, Unit: 'Count', Value: 0 },
    );
    // The queue as the worker publishes it, and Container Insights' task counts (the timeline's rows).
    const backlog = Math.max(0, Math.round(40 * wave * wave - 8 + 6 * random()));
    data.push(
      {
        MetricName: WORKER_BACKLOG_METRIC.name,
        Dimensions: [{ Name: 'Environment', Value: name }],
        Timestamp,
        Unit: 'Count',
        Value: backlog,
      },
      // Each queue's part of it (the worker publishes both): half screenshots, then pdf, then scrape.
      ...QUEUE_NAMES.map((queue, i) => ({
        MetricName: WORKER_BACKLOG_METRIC.name,
        Dimensions: [
          { Name: 'Environment', Value: name },
          { Name: 'Queue', Value: queue },
        ],
        Timestamp,
        Unit: 'Count' as const,
        Value: Math.round(backlog * QUEUE_BACKLOG_SHARES[i]),
      })),
      {
        MetricName: WORKER_OLDEST_WAITING_METRIC.name,
        Dimensions: [{ Name: 'Environment', Value: name }],
        Timestamp,
        Unit: 'Seconds',
        Value: backlog > 0 ? Math.round(backlog * 4 + 10 * random()) : 0,
      },
    );
    for (const role of SERVICE_ROLES) {
      const dims = [
        { Name: 'ClusterName', Value: cluster },
        { Name: 'ServiceName', Value: role },
      ];
      const desired = role === 'api' ? apiTasks : Math.max(1, Math.ceil(backlog / 10));
      data.push(
        { MetricName: 'DesiredTaskCount', Dimensions: dims, Timestamp, Unit: 'Count', Value: desired },
        {
          MetricName: 'RunningTaskCount',
          Dimensions: dims,
          Timestamp,
          Unit: 'Count',
          Value: m % 37 === 0 ? Math.max(0, desired - 1) : desired,
        },
      );
    }
  }
  const namespaceOf = (metric: string) =>
    metric.endsWith('Utilization')
      ? 'AWS/ECS'
      : metric.endsWith('TaskCount')
        ? 'ECS/ContainerInsights'
        : metric === WORKER_BACKLOG_METRIC.name || metric === WORKER_OLDEST_WAITING_METRIC.name
          ? WORKER_BACKLOG_METRIC.namespace
          : 'AWS/ApplicationELB';
  // PutMetricData takes up to 1,000 datums and 1 MB per call; 500 keeps well inside both.
  for (const namespace of ['AWS/ECS', 'AWS/ApplicationELB', 'ECS/ContainerInsights', WORKER_BACKLOG_METRIC.namespace]) {
    const inNamespace = data.filter((d) => namespaceOf(d.MetricName!) === namespace);
    for (let i = 0; i < inNamespace.length; i += 500) {
      await cloudwatch.send(
        new PutMetricDataCommand({ Namespace: namespace, MetricData: inNamespace.slice(i, i + 500) }),
      );
    }
  }
}

function imageManifest(seed: string): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: 1024,
      digest: `sha256:${sha(`config-${seed}`)}`,
    },
    layers: [
      {
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        size: 30_000_000,
        digest: `sha256:${sha(`layer-${seed}`)}`,
      },
    ],
  });
}

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function round(value: number, digits = 1): number {
  return Number(value.toFixed(digits));
}

/** A small seeded PRNG, so every seeding draws the same history. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
