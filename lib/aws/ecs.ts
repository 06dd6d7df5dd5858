import 'server-only';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTaskDefinitionsCommand,
  ECSClient,
  paginateListTasks,
  DesiredStatus,
  UpdateServiceCommand,
  type Service as SdkService,
  type Task as SdkTask,
} from '@aws-sdk/client-ecs';
import type { Environment } from '../environments';
import { SERVICE_ROLES, type ServiceRole } from '../../contracts/platform';
import { clientFor } from './clients';
import { UpstreamError } from '../../model/errors';
import { awsCall } from './errors';
import {
  ServiceEventSchema,
  type ServiceEvent,
  StoppedTaskSchema,
  type StoppedTask,
  TaskDefinitionRevisionSchema,
  type TaskDefinitionRevision,
  TaskSchema,
  ServiceSummarySchema,
  type Task,
  type ServiceSummary,
} from '../../model/schemas/ecs';

/** DescribeServices accepts at most 10 services per call (ECS API reference). */
export const DESCRIBE_SERVICES_BATCH = 10;
/** Service events kept per service: ECS returns its last 100; an operator reads the newest. */
export const EVENTS_PER_SERVICE = 10;

/** DescribeTasks accepts at most 100 tasks per call (ECS API reference). */
export const DESCRIBE_TASKS_BATCH = 100;

export type EnvironmentServices = {
  services: (ServiceSummary & { role: ServiceRole })[];
  /** Services the registry names that ECS does not know. */
  missing: string[];
};

export function ecsClient(env: Environment): ECSClient {
  return clientFor(ECSClient, env);
}

/** Describes services in batches of 10, in parallel; never one call per service. */
export async function describeServices(
  env: Environment,
  names: string[],
  client: ECSClient = ecsClient(env),
): Promise<{ services: ServiceSummary[]; missing: string[] }> {
  const batches: string[][] = [];
  for (let i = 0; i < names.length; i += DESCRIBE_SERVICES_BATCH) {
    batches.push(names.slice(i, i + DESCRIBE_SERVICES_BATCH));
  }
  const responses = await Promise.all(
    batches.map((services) =>
      awsCall('ECS', 'DescribeServices', () =>
        client.send(new DescribeServicesCommand({ cluster: env.ecs.cluster, services })),
      ),
    ),
  );
  return {
    services: responses.flatMap((r) => (r.services ?? []).map(toServiceSummary)),
    missing: responses.flatMap((r) => (r.failures ?? []).map((f) => f.arn?.split('/').pop() ?? 'unknown')),
  };
}

/** The environment's `api` and `worker` services, in that order. */
export async function describeEnvironmentServices(
  env: Environment,
  client: ECSClient = ecsClient(env),
): Promise<EnvironmentServices> {
  const names = SERVICE_ROLES.map((role) => env.ecs.services[role]);
  const { services, missing } = await describeServices(env, names, client);
  return {
    services: SERVICE_ROLES.flatMap((role) => {
      const found = services.find((s) => s.name === env.ecs.services[role]);
      return found ? [{ ...found, role }] : [];
    }),
    missing,
  };
}

function toServiceSummary(s: SdkService): ServiceSummary {
  const primary = s.deployments?.find((d) => d.status === 'PRIMARY');
  return ServiceSummarySchema.parse({
    name: s.serviceName,
    arn: s.serviceArn,
    status: s.status,
    launchType: s.launchType ?? null,
    desiredCount: s.desiredCount ?? 0,
    runningCount: s.runningCount ?? 0,
    pendingCount: s.pendingCount ?? 0,
    taskDefinition: s.taskDefinition ? parseTaskDefinitionArn(s.taskDefinition) : null,
    rolloutState: primary?.rolloutState ?? null,
    deploymentCount: s.deployments?.length ?? 0,
    deployments: [...(s.deployments ?? [])]
      .sort((a, b) => Number(b.status === 'PRIMARY') - Number(a.status === 'PRIMARY'))
      .map((d) => ({
        id: d.id ?? 'unknown',
        status: d.status ?? 'unknown',
        taskDefinition: d.taskDefinition ? parseTaskDefinitionArn(d.taskDefinition) : null,
        desiredCount: d.desiredCount ?? 0,
        runningCount: d.runningCount ?? 0,
        pendingCount: d.pendingCount ?? 0,
        failedTasks: d.failedTasks ?? 0,
        rolloutState: d.rolloutState ?? null,
        rolloutStateReason: d.rolloutStateReason ?? null,
        createdAt: d.createdAt?.toISOString() ?? null,
        updatedAt: d.updatedAt?.toISOString() ?? null,
      })),
    circuitBreaker: s.deploymentConfiguration?.deploymentCircuitBreaker
      ? {
          enable: s.deploymentConfiguration.deploymentCircuitBreaker.enable ?? false,
          rollback: s.deploymentConfiguration.deploymentCircuitBreaker.rollback ?? false,
        }
      : null,
    events: (s.events ?? []).slice(0, EVENTS_PER_SERVICE).map((e) => ({
      id: e.id ?? 'unknown',
      createdAt: e.createdAt?.toISOString() ?? null,
      message: e.message ?? '',
    })),
  });
}

/** Each service's events as ECS keeps them (its last 100), newest first: what the timeline marks. One DescribeServices call. */
export async function describeServiceEvents(
  env: Environment,
  client: ECSClient = ecsClient(env),
): Promise<Record<ServiceRole, ServiceEvent[]>> {
  const { services = [] } = await awsCall('ECS', 'DescribeServices', () =>
    client.send(
      new DescribeServicesCommand({
        cluster: env.ecs.cluster,
        services: SERVICE_ROLES.map((role) => env.ecs.services[role]),
      }),
    ),
  );
  return Object.fromEntries(
    SERVICE_ROLES.map((role) => [
      role,
      (services.find((s) => s.serviceName === env.ecs.services[role])?.events ?? []).map((e) =>
        ServiceEventSchema.parse({
          id: e.id ?? 'unknown',
          createdAt: e.createdAt?.toISOString() ?? null,
          message: e.message ?? '',
        }),
      ),
    ]),
  ) as Record<ServiceRole, ServiceEvent[]>;
}

/** `arn:aws:ecs:region:acct:task-definition/family:revision` → its parts. */
export function parseTaskDefinitionArn(arn: string): { arn: string; family: string; revision: number } {
  const match = /task-definition\/([^:]+):(\d+)$/.exec(arn);
  if (!match) return { arn, family: arn, revision: 0 };
  return { arn, family: match[1], revision: Number(match[2]) };
}

async function describeTaskArns(env: Environment, arns: string[], client: ECSClient): Promise<SdkTask[]> {
  const batches: string[][] = [];
  for (let i = 0; i < arns.length; i += DESCRIBE_TASKS_BATCH) batches.push(arns.slice(i, i + DESCRIBE_TASKS_BATCH));
  const described = await Promise.all(
    batches.map((tasks) =>
      awsCall('ECS', 'DescribeTasks', () => client.send(new DescribeTasksCommand({ cluster: env.ecs.cluster, tasks }))),
    ),
  );
  return described.flatMap((r) => r.tasks ?? []);
}

async function listTaskArns(
  env: Environment,
  serviceName: string,
  desiredStatus: DesiredStatus,
  limit: number,
  client: ECSClient,
): Promise<string[]> {
  const arns: string[] = [];
  await awsCall('ECS', 'ListTasks', async () => {
    for await (const page of paginateListTasks({ client }, { cluster: env.ecs.cluster, serviceName, desiredStatus })) {
      arns.push(...(page.taskArns ?? []));
      if (arns.length >= limit) break;
    }
  });
  return arns.slice(0, limit);
}

/** A service's running tasks with their health and start time, oldest first. */
export async function listServiceTasks(
  env: Environment,
  serviceName: string,
  client: ECSClient = ecsClient(env),
): Promise<Task[]> {
  const arns = await listTaskArns(env, serviceName, DesiredStatus.RUNNING, Infinity, client);
  return (await describeTaskArns(env, arns, client))
    .map((t) =>
      TaskSchema.parse({
        arn: t.taskArn,
        id: t.taskArn?.split('/').pop(),
        taskDefinition: t.taskDefinitionArn ? parseTaskDefinitionArn(t.taskDefinitionArn) : null,
        lastStatus: t.lastStatus ?? null,
        desiredStatus: t.desiredStatus ?? null,
        healthStatus: t.healthStatus ?? null,
        startedAt: t.startedAt?.toISOString() ?? null,
        deploymentId: t.startedBy ?? null,
        privateIp:
          t.attachments?.flatMap((a) => a.details ?? []).find((d) => d.name === 'privateIPv4Address')?.value ?? null,
      }),
    )
    .sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? ''));
}

/** Stopped tasks read per service page: one DescribeTasks call (ECS keeps them about an hour). */
export const STOPPED_TASKS_READ = DESCRIBE_TASKS_BATCH;

/** A service's recently stopped tasks with their stop reason and each container's exit code, newest first. */
export async function listStoppedTasks(
  env: Environment,
  serviceName: string,
  client: ECSClient = ecsClient(env),
): Promise<StoppedTask[]> {
  const arns = await listTaskArns(env, serviceName, DesiredStatus.STOPPED, STOPPED_TASKS_READ, client);
  if (arns.length === 0) return [];
  return (await describeTaskArns(env, arns, client))
    .map((t) =>
      StoppedTaskSchema.parse({
        arn: t.taskArn,
        id: t.taskArn?.split('/').pop(),
        taskDefinition: t.taskDefinitionArn ? parseTaskDefinitionArn(t.taskDefinitionArn) : null,
        deploymentId: t.startedBy ?? null,
        startedAt: t.startedAt?.toISOString() ?? null,
        stoppedAt: t.stoppedAt?.toISOString() ?? null,
        stopCode: t.stopCode ?? null,
        stoppedReason: t.stoppedReason || null,
        containers: (t.containers ?? []).map((c) => ({
          name: c.name ?? '',
          exitCode: c.exitCode ?? null,
          reason: c.reason || null,
        })),
      }),
    )
    .sort((a, b) => (b.stoppedAt ?? '').localeCompare(a.stoppedAt ?? ''));
}

/** Revisions kept on the service page: enough to roll back a few deploys. */
export const TASK_DEFINITION_REVISIONS = 10;

/** A family's newest revisions with their images, newest first (ListTaskDefinitions + one Describe each). */
export async function listTaskDefinitionRevisions(
  env: Environment,
  family: string,
  client: ECSClient = ecsClient(env),
): Promise<TaskDefinitionRevision[]> {
  const { taskDefinitionArns = [] } = await awsCall('ECS', 'ListTaskDefinitions', () =>
    client.send(new ListTaskDefinitionsCommand({ familyPrefix: family, sort: 'DESC', maxResults: 100 })),
  );
  const newest = taskDefinitionArns
    .map(parseTaskDefinitionArn)
    .filter((ref) => ref.family === family)
    .sort((a, b) => b.revision - a.revision)
    .slice(0, TASK_DEFINITION_REVISIONS);
  const described = await Promise.all(
    newest.map((ref) =>
      awsCall('ECS', 'DescribeTaskDefinition', () =>
        client.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref.arn })),
      ),
    ),
  );
  return described.map(({ taskDefinition: td }) =>
    TaskDefinitionRevisionSchema.parse({
      arn: td?.taskDefinitionArn,
      family: td?.family,
      revision: td?.revision,
      registeredAt: td?.registeredAt?.toISOString() ?? null,
      cpu: td?.cpu ?? null,
      memory: td?.memory ?? null,
      containers: (td?.containerDefinitions ?? []).map((c) => ({
        name: c.name ?? '',
        image: c.image ?? '',
        tag: /:([^:/@]+)$/.exec(c.image ?? '')?.[1] ?? null,
        digest: /@(sha256:[0-9a-f]{64})$/.exec(c.image ?? '')?.[1] ?? null,
        environmentNames: (c.environment ?? [])
          .map((e) => e.name ?? '')
          .filter(Boolean)
          .sort(),
        secretNames: (c.secrets ?? [])
          .map((e) => e.name ?? '')
          .filter(Boolean)
          .sort(),
      })),
    }),
  );
}

/** What an UpdateService started: the service as ECS now has it, and its new PRIMARY deployment. */
export type ServiceUpdate = { service: ServiceSummary; deploymentId: string | null };

async function updateService(
  env: Environment,
  role: ServiceRole,
  change: { forceNewDeployment?: boolean; desiredCount?: number; taskDefinition?: string },
  client: ECSClient,
): Promise<ServiceUpdate> {
  const { service } = await awsCall('ECS', 'UpdateService', () =>
    client.send(new UpdateServiceCommand({ cluster: env.ecs.cluster, service: env.ecs.services[role], ...change })),
  );
  if (!service)
    throw new UpstreamError('ECS', `ECS UpdateService answered without the service ${env.ecs.services[role]}`);
  const summary = toServiceSummary(service);
  return { service: summary, deploymentId: summary.deployments.find((d) => d.status === 'PRIMARY')?.id ?? null };
}

/** The one-click redeploy: a new deployment of the same task definition (fresh tasks, same image). */
export function forceNewDeployment(
  env: Environment,
  role: ServiceRole,
  client: ECSClient = ecsClient(env),
): Promise<ServiceUpdate> {
  return updateService(env, role, { forceNewDeployment: true }, client);
}

/** Sets the desired count (the caller has checked it against the scalable target's bounds). */
export function setDesiredCount(
  env: Environment,
  role: ServiceRole,
  desiredCount: number,
  client: ECSClient = ecsClient(env),
): Promise<ServiceUpdate> {
  return updateService(env, role, { desiredCount }, client);
}

/** Rolls the service to an existing task definition revision (no new revision is registered). */
export function deployTaskDefinition(
  env: Environment,
  role: ServiceRole,
  taskDefinitionArn: string,
  client: ECSClient = ecsClient(env),
): Promise<ServiceUpdate> {
  return updateService(env, role, { taskDefinition: taskDefinitionArn }, client);
}
