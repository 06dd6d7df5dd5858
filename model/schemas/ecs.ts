/** The ecs DTOs: plain zod schemas, browser-safe (no server-only), so live payloads are checked in the browser too. */
import { z } from 'zod';

export const TaskDefinitionRefSchema = z.object({ arn: z.string(), family: z.string(), revision: z.number().int() });

export const DeploymentSchema = z.object({
  id: z.string(),
  status: z.string(),
  taskDefinition: TaskDefinitionRefSchema.nullable(),
  desiredCount: z.number().int(),
  runningCount: z.number().int(),
  pendingCount: z.number().int(),
  failedTasks: z.number().int(),
  rolloutState: z.enum(['IN_PROGRESS', 'COMPLETED', 'FAILED']).nullable(),
  rolloutStateReason: z.string().nullable(),
  createdAt: z.iso.datetime().nullable(),
  updatedAt: z.iso.datetime().nullable(),
});

export type Deployment = z.infer<typeof DeploymentSchema>;

export const TaskSchema = z.object({
  arn: z.string(),
  id: z.string(),
  taskDefinition: TaskDefinitionRefSchema.nullable(),
  lastStatus: z.string().nullable(),
  desiredStatus: z.string().nullable(),
  healthStatus: z.string().nullable(),
  startedAt: z.iso.datetime().nullable(),
  /** The deployment that started it (ECS sets startedBy to the deployment id). */
  deploymentId: z.string().nullable(),
  privateIp: z.string().nullable(),
});

export type Task = z.infer<typeof TaskSchema>;

/** A task ECS stopped: why (the task's reason and stop code), and how each container ended. */
export const StoppedTaskSchema = z.object({
  arn: z.string(),
  id: z.string(),
  taskDefinition: TaskDefinitionRefSchema.nullable(),
  deploymentId: z.string().nullable(),
  startedAt: z.iso.datetime().nullable(),
  stoppedAt: z.iso.datetime().nullable(),
  /** ECS's stop code: EssentialContainerExited, TaskFailedToStart, ServiceSchedulerInitiated, … */
  stopCode: z.string().nullable(),
  stoppedReason: z.string().nullable(),
  containers: z.array(
    z.object({ name: z.string(), exitCode: z.number().int().nullable(), reason: z.string().nullable() }),
  ),
});

export type StoppedTask = z.infer<typeof StoppedTaskSchema>;

export const ServiceEventSchema = z.object({
  id: z.string(),
  createdAt: z.iso.datetime().nullable(),
  message: z.string(),
});
export type ServiceEvent = z.infer<typeof ServiceEventSchema>;

export const ServiceSummarySchema = z.object({
  name: z.string(),
  arn: z.string(),
  status: z.string(),
  launchType: z.string().nullable(),
  desiredCount: z.number().int().nonnegative(),
  runningCount: z.number().int().nonnegative(),
  pendingCount: z.number().int().nonnegative(),
  taskDefinition: TaskDefinitionRefSchema.nullable(),
  /** Rollout state of the PRIMARY deployment; null when ECS reports none. */
  rolloutState: z.enum(['IN_PROGRESS', 'COMPLETED', 'FAILED']).nullable(),
  deploymentCount: z.number().int().nonnegative(),
  /** PRIMARY first, then ACTIVE ones still draining. */
  deployments: z.array(DeploymentSchema),
  circuitBreaker: z.object({ enable: z.boolean(), rollback: z.boolean() }).nullable(),
  /** Newest first, at most EVENTS_PER_SERVICE. */
  events: z.array(ServiceEventSchema),
});

export type ServiceSummary = z.infer<typeof ServiceSummarySchema>;

/** A task definition revision: what a rollback would go back to. */
export const TaskDefinitionRevisionSchema = z.object({
  arn: z.string(),
  family: z.string(),
  revision: z.number().int(),
  registeredAt: z.iso.datetime().nullable(),
  cpu: z.string().nullable(),
  memory: z.string().nullable(),
  containers: z.array(
    z.object({
      name: z.string(),
      image: z.string(),
      tag: z.string().nullable(),
      /** The digest when the image is pinned by it (`repo@sha256:…`); otherwise ECR's, looked up by tag. */
      digest: z.string().nullable(),
      /** Names only: a preview shows which variables and secrets change, never their values. */
      environmentNames: z.array(z.string()),
      secretNames: z.array(z.string()),
    }),
  ),
});

export type TaskDefinitionRevision = z.infer<typeof TaskDefinitionRevisionSchema>;
