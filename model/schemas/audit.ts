/** An audit record: browser-safe, the audit page and the environment page show them. */
import { z } from 'zod';

/** started: an allowed action about to run (its outcome follows under the same request id). */
export const AUDIT_RESULTS = ['started', 'ok', 'refused', 'failed'] as const;

export const AuditRecordSchema = z.object({
  /** The stream entry id (time-ordered). */
  id: z.string(),
  at: z.iso.datetime(),
  /** GitHub login; null for an anonymous request. */
  user: z.string().nullable(),
  /** The role the person had in the environment when they tried (none: null). */
  role: z.enum(['viewer', 'operator']).nullable(),
  action: z.string(),
  environment: z.string().nullable(),
  target: z.string().nullable(),
  /** The action's parameters, as given (never a secret: no action takes one). */
  params: z.record(z.string(), z.unknown()),
  result: z.enum(AUDIT_RESULTS),
  /** HTTP status answered. */
  status: z.number().int(),
  /** Why it was refused or failed, or what it did (a deployment id, a run link). */
  detail: z.string(),
  requestId: z.string(),
});
export type AuditRecord = z.infer<typeof AuditRecordSchema>;
