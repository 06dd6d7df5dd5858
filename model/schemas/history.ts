/**
 * What ECS forgets and the events log group keeps for 30 days (lib/ecs-history.ts): the tasks
 * that stopped and the deployments that changed state. Browser-safe.
 */
import { z } from 'zod';
import { SERVICE_ROLES } from '../../contracts/platform';
import { StoppedTaskSchema, TaskDefinitionRefSchema } from './ecs';

export const HistoricalStopSchema = z.object({
  taskArn: z.string(),
  taskId: z.string(),
  /** The service it ran for (its group, `service:{name}`), when it is one of ours. */
  role: z.enum(SERVICE_ROLES).nullable(),
  taskDefinition: TaskDefinitionRefSchema.nullable(),
  /** The deployment that started it (`startedBy`). */
  deploymentId: z.string().nullable(),
  startedAt: z.iso.datetime().nullable(),
  stoppedAt: z.iso.datetime(),
  stopCode: z.string().nullable(),
  stoppedReason: z.string().nullable(),
  /** How each container ended, as ECS's stopped tasks say it. */
  containers: StoppedTaskSchema.shape.containers,
});
export type HistoricalStop = z.infer<typeof HistoricalStopSchema>;

export const DeploymentEventSchema = z.object({
  deploymentId: z.string(),
  role: z.enum(SERVICE_ROLES).nullable(),
  /** SERVICE_DEPLOYMENT_IN_PROGRESS, _COMPLETED, _FAILED, … */
  eventName: z.string(),
  eventType: z.string(),
  reason: z.string().nullable(),
  at: z.iso.datetime(),
});
export type DeploymentEvent = z.infer<typeof DeploymentEventSchema>;

export const EnvironmentHistorySchema = z.object({
  /** Newest first. */
  stops: z.array(HistoricalStopSchema),
  deployments: z.array(DeploymentEventSchema),
  /** The oldest moment the stops cover: 30 days ago, or later when more stopped than one read holds. */
  stopsSince: z.iso.datetime(),
});
export type EnvironmentHistory = z.infer<typeof EnvironmentHistorySchema>;
