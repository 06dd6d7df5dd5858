/** The autoscaling DTOs: plain zod schemas, browser-safe (no server-only), so live payloads are checked in the browser too. */
import { z } from 'zod';
import { SERVICE_ROLES } from '../../contracts/platform';

export const ServiceScalingSchema = z.object({
  resourceId: z.string(),
  minCapacity: z.number().int().nullable(),
  maxCapacity: z.number().int().nullable(),
  policies: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      targetValue: z.number().nullable(),
      /** The predefined metric type, the custom metric's namespace/name, or a metric-math policy's label. */
      metric: z.string().nullable(),
    }),
  ),
  activities: z.array(
    z.object({
      id: z.string(),
      description: z.string(),
      cause: z.string(),
      status: z.string(),
      startedAt: z.iso.datetime(),
    }),
  ),
});

export type ServiceScaling = z.infer<typeof ServiceScalingSchema>;

export const EnvironmentScalingSchema = z.record(z.enum(SERVICE_ROLES), ServiceScalingSchema.nullable());

export type EnvironmentScaling = z.infer<typeof EnvironmentScalingSchema>;
