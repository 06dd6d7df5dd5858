/**
 * An environment's snapshot, as the server renders it and the live stream sends it: browser-
 * safe, so the client checks every live message against the same schema the server wrote.
 */
import { z } from 'zod';
import { ErrorInfoSchema } from '../errors';
import { SERVICE_ROLES } from '../platform';
import { EnvironmentScalingSchema } from './autoscaling';
import { EnvironmentMetricsSchema } from './cloudwatch';
import { RepositoryImagesSchema } from './ecr';
import { ServiceSummarySchema } from './ecs';
import { LoadBalancerHealthSchema } from './elb';
import { DeployRunSchema } from './github';
import { QueueStatsSchema } from './queue';
import { ParameterStatusSchema } from './ssm';

/** A part as lib/cache.ts serves it: the value (maybe old), its age, and the last error. */
export function cachedSchema<T extends z.ZodType>(value: T) {
  return z.object({
    value: value.nullable(),
    fetchedAt: z.number().nullable(),
    ageMs: z.number().nullable(),
    stale: z.boolean(),
    error: ErrorInfoSchema.nullable(),
    sharedCacheError: ErrorInfoSchema.nullable(),
  });
}

export const EcsPartSchema = z.object({
  services: z.array(ServiceSummarySchema.extend({ role: z.enum(SERVICE_ROLES) })),
  missing: z.array(z.string()),
});

/** The overall status and why (lib/status.ts), decided once on the server for every viewer. */
export const StatusVerdictSchema = z.object({
  status: z.enum(['healthy', 'degraded', 'down']),
  reasons: z.array(z.string()),
  /** Sources the verdict rests on whose last read failed: it is judged on their older values. */
  unrefreshed: z.array(z.string()),
  /**
   * Sources the rules read that a page did not wait for (still loading, lib/snapshot.ts
   * graceMs): the verdict is as far as the others go. Absent when there are none.
   */
  pending: z.array(z.string()).optional(),
});
export type StatusVerdict = z.infer<typeof StatusVerdictSchema>;

export const EnvironmentSnapshotSchema = z.object({
  environment: z.object({ name: z.string(), region: z.string(), production: z.boolean(), cluster: z.string(), colour: z.string().regex(/^#[0-9a-fA-F]{6}$/) }),
  ecs: cachedSchema(EcsPartSchema),
  targets: cachedSchema(LoadBalancerHealthSchema),
  queues: cachedSchema(z.array(QueueStatsSchema)),
  metrics: cachedSchema(EnvironmentMetricsSchema),
  scaling: cachedSchema(EnvironmentScalingSchema),
  images: cachedSchema(RepositoryImagesSchema),
  parameters: cachedSchema(z.array(ParameterStatusSchema)),
  deployRuns: cachedSchema(z.array(DeployRunSchema)),
  status: StatusVerdictSchema,
});
export type EnvironmentSnapshot = z.infer<typeof EnvironmentSnapshotSchema>;
/** What the status rules read: every part, before the status is decided. */
export type SnapshotParts = Omit<EnvironmentSnapshot, 'status'>;

/** One message of /api/environments/{env}/live (lib/live.ts). */
export const LiveSnapshotMessageSchema = z.object({
  version: z.number().int().positive(),
  at: z.iso.datetime(),
  snapshot: EnvironmentSnapshotSchema,
});
export type LiveSnapshotMessage = z.infer<typeof LiveSnapshotMessageSchema>;
