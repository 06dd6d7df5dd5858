/** The ssm DTOs: plain zod schemas, browser-safe (no server-only), so live payloads are checked in the browser too. */
import { z } from 'zod';

/** A parameter's metadata. Values are never read: the control plane has no decrypt right. */
export const ParameterStatusSchema = z.object({
  key: z.string(),
  name: z.string(),
  present: z.boolean(),
  type: z.string().nullable(),
  version: z.number().int().nullable(),
  lastModified: z.iso.datetime().nullable(),
});

export type ParameterStatus = z.infer<typeof ParameterStatusSchema>;
