/** The logs DTOs: browser-safe, so a page and the live tail check what they are given. */
import { z } from 'zod';

/** One line a task wrote, as CloudWatch Logs keeps it. */
export const LogLineSchema = z.object({
  /** CloudWatch Logs' event id: what a permalink to the line names. */
  id: z.string(),
  /** When the line was written (ms since the epoch). */
  timestamp: z.number().int(),
  stream: z.string(),
  /** The task that wrote it, from the awslogs stream name. */
  taskId: z.string().nullable(),
  message: z.string(),
});
export type LogLine = z.infer<typeof LogLineSchema>;

/** Where a search looked: the whole service, one task, or one deployment's tasks. */
export const LogScopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('service') }),
  z.object({ kind: z.literal('task'), taskId: z.string() }),
  z.object({ kind: z.literal('deployment'), deploymentId: z.string(), taskIds: z.array(z.string()) }),
]);
export type LogScope = z.infer<typeof LogScopeSchema>;

export const LogSearchResultSchema = z.object({
  /** Newest first. */
  lines: z.array(LogLineSchema),
  scope: LogScopeSchema,
  /** The time range searched (ms since the epoch), as asked. */
  from: z.number().int(),
  to: z.number().int(),
  /** Where the next page starts (the `before` of the next search), or null when the range is read to its start. */
  older: z.string().nullable(),
  /** FilterLogEvents calls this search made (bounded: lib/logs.ts MAX_CALLS_PER_SEARCH). */
  calls: z.number().int(),
});
export type LogSearchResult = z.infer<typeof LogSearchResultSchema>;

const PINO_LEVELS: Record<number, LogLevel> = {
  10: 'debug',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'error',
};
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * What an operator reads of a line: its level, its message and its other fields. The services
 * write pino JSON (`level`, `time`, `msg`, and fields); anything else (a crash's stack on
 * stderr) is shown as written, an error when it says so.
 */
export function readLogMessage(message: string): { level: LogLevel | null; text: string; fields: [string, string][] } {
  if (message.startsWith('{')) {
    try {
      const json = JSON.parse(message) as Record<string, unknown>;
      const level = typeof json.level === 'number' ? (PINO_LEVELS[json.level] ?? null) : null;
      const text = typeof json.msg === 'string' ? json.msg : '';
      const fields = Object.entries(json)
        .filter(([key]) => !['level', 'time', 'msg', 'pid', 'hostname', 'service'].includes(key))
        .map(([key, value]): [string, string] => [key, typeof value === 'string' ? value : JSON.stringify(value)]);
      return { level, text, fields };
    } catch {
      /* not JSON after all: as written */
    }
  }
  const level = /\b(error|fatal|exception|panic)\b/i.test(message)
    ? 'error'
    : /\bwarn(ing)?\b/i.test(message)
      ? 'warn'
      : null;
  return { level, text: message, fields: [] };
}
