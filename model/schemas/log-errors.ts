/** The environment's top error messages of the last minutes (lib/log-errors.ts). Browser-safe. */
import { z } from 'zod';
import { SERVICE_ROLES } from '../../contracts/platform';

export const ErrorGroupSchema = z.object({
  role: z.enum(SERVICE_ROLES).nullable(),
  /** The line's message (pino's `msg`), or the line itself when it is not JSON. */
  message: z.string(),
  /** What went wrong, when the line says (its `err`). */
  detail: z.string(),
  count: z.number().int(),
  firstSeen: z.iso.datetime(),
  lastSeen: z.iso.datetime(),
});
export type ErrorGroup = z.infer<typeof ErrorGroupSchema>;

export const TopErrorsSchema = z.object({
  /** The window the query covered (ISO). */
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  /** Most frequent first. */
  groups: z.array(ErrorGroupSchema),
});
export type TopErrors = z.infer<typeof TopErrorsSchema>;
