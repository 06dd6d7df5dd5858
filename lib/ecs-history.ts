import 'server-only';
import { z } from 'zod';
import { ECS_EVENTS_RETENTION_DAYS, SERVICE_ROLES, type ServiceRole } from '../contracts/platform';
import type { DeploymentEvent, EnvironmentHistory, HistoricalStop } from '../model/schemas/history';
import { logGroups, type Environment } from './environments';
import { readNewest } from './aws/logs';

/**
 * The environment's stopped tasks and deployment changes of the last 30 days, from the log
 * group EventBridge delivers ECS's events to (infrastructure/modules/ecs): ECS itself lists a
 * stopped task for about an hour. Two bounded reads, newest first, each a JSON filter pattern.
 */
export const STOPS_READ = 500;
export const DEPLOYMENT_EVENTS_READ = 100;
const STOPPED = '{ $.detail-type = "ECS Task State Change" && $.detail.lastStatus = "STOPPED" }';
const DEPLOYMENTS = '{ $.detail-type = "ECS Deployment State Change" }';

/** The parts of ECS's events we read (the ECS developer guide, "Amazon ECS events"). */
const Instant = z.string().nullish();
const TaskStateChange = z.object({
  time: z.string(),
  detail: z.object({
    taskArn: z.string(),
    taskDefinitionArn: z.string().nullish(),
    group: z.string().nullish(),
    startedBy: z.string().nullish(),
    startedAt: Instant,
    stoppedAt: Instant,
    stopCode: z.string().nullish(),
    stoppedReason: z.string().nullish(),
    containers: z
      .array(z.object({ name: z.string(), exitCode: z.number().int().nullish(), reason: z.string().nullish() }))
      .default([]),
  }),
});
const DeploymentStateChange = z.object({
  time: z.string(),
  resources: z.array(z.string()).default([]),
  detail: z.object({
    deploymentId: z.string(),
    eventName: z.string(),
    eventType: z.string(),
    reason: z.string().nullish(),
    updatedAt: Instant,
  }),
});

const iso = (value: string | null | undefined): string | null => {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
};

function parseJson(message: string): unknown {
  try {
    return JSON.parse(message);
  } catch {
    return null;
  }
}

export async function readEnvironmentHistory(env: Environment, now = Date.now()): Promise<EnvironmentHistory> {
  const group = logGroups(env).events;
  const from = now - ECS_EVENTS_RETENTION_DAYS * 86_400_000;
  const roleOf = (serviceName: string | null | undefined): ServiceRole | null =>
    SERVICE_ROLES.find((role) => env.ecs.services[role] === serviceName) ?? null;
  const [stopped, deployments] = await Promise.all([
    readNewest(env, { group, pattern: STOPPED, from, to: now, limit: STOPS_READ }),
    readNewest(env, { group, pattern: DEPLOYMENTS, from, to: now, limit: DEPLOYMENT_EVENTS_READ }),
  ]);

  const stops: HistoricalStop[] = [];
  for (const line of stopped.lines) {
    const event = TaskStateChange.safeParse(parseJson(line.message));
    if (!event.success) continue; // not an event of this shape: nothing to show of it
    const d = event.data.detail;
    const definition = /task-definition\/([^:]+):(\d+)$/.exec(d.taskDefinitionArn ?? '');
    stops.push({
      taskArn: d.taskArn,
      taskId: d.taskArn.split('/').pop()!,
      role: roleOf(d.group?.startsWith('service:') ? d.group.slice('service:'.length) : null),
      taskDefinition:
        definition && d.taskDefinitionArn
          ? { arn: d.taskDefinitionArn, family: definition[1], revision: Number(definition[2]) }
          : null,
      deploymentId: d.startedBy?.startsWith('ecs-svc/') ? d.startedBy : null,
      startedAt: iso(d.startedAt),
      stoppedAt: iso(d.stoppedAt) ?? new Date(line.timestamp).toISOString(),
      stopCode: d.stopCode ?? null,
      stoppedReason: d.stoppedReason ?? null,
      containers: d.containers.map((c) => ({ name: c.name, exitCode: c.exitCode ?? null, reason: c.reason ?? null })),
    });
  }
  const changes: DeploymentEvent[] = [];
  for (const line of deployments.lines) {
    const event = DeploymentStateChange.safeParse(parseJson(line.message));
    if (!event.success) continue;
    const d = event.data.detail;
    changes.push({
      deploymentId: d.deploymentId,
      role: roleOf(event.data.resources[0]?.split('/').pop()),
      eventName: d.eventName,
      eventType: d.eventType,
      reason: d.reason ?? null,
      at: iso(d.updatedAt) ?? new Date(line.timestamp).toISOString(),
    });
  }
  // Read to the start of the 30 days, or only as far back as the newest STOPS_READ reach.
  const oldest = stopped.lines.at(-1)?.timestamp;
  const stopsSince = new Date(stopped.older && oldest ? oldest : from).toISOString();
  return { stops, deployments: changes, stopsSince };
}
