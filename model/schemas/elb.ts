/** The elb DTOs: plain zod schemas, browser-safe (no server-only), so live payloads are checked in the browser too. */
import { z } from 'zod';

export const TargetSchema = z.object({
  id: z.string(),
  port: z.number().int().nullable(),
  state: z.string(),
  reason: z.string().nullable(),
  description: z.string().nullable(),
});

export const TargetGroupSchema = z.object({
  arn: z.string(),
  name: z.string(),
  protocol: z.string().nullable(),
  port: z.number().int().nullable(),
  healthCheck: z.object({
    path: z.string().nullable(),
    intervalSeconds: z.number().nullable(),
    healthyThreshold: z.number().nullable(),
    unhealthyThreshold: z.number().nullable(),
  }),
  targets: z.array(TargetSchema),
});

export const LoadBalancerHealthSchema = z.object({
  loadBalancer: z.object({
    arn: z.string(),
    name: z.string(),
    dnsName: z.string().nullable(),
    state: z.string().nullable(),
  }),
  targetGroups: z.array(TargetGroupSchema),
});

export type LoadBalancerHealth = z.infer<typeof LoadBalancerHealthSchema>;
