/** A live tail's message (lib/log-tail.ts): the lines that arrived since the last one. Browser-safe. */
import { z } from 'zod';
import { LogLineSchema } from './logs';

export const TailBatchSchema = z.object({
  /** Oldest first, as they were written. */
  lines: z.array(LogLineSchema),
  /** True when more arrived than one read takes: the tail is behind and catches up on the next ticks. */
  behind: z.boolean(),
});
export type TailBatch = z.infer<typeof TailBatchSchema>;
