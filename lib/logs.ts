import 'server-only';
import safeRegex from 'safe-regex2';
import { z } from 'zod';
import { taskLogStream, type ServiceRole } from '../contracts/platform';
import { AppError } from '../model/errors';
import type { LogLine, LogScope, LogSearchResult } from '../model/schemas/logs';
import { FILTER_STREAMS_MAX, filterLogEvents, listLogStreams } from './aws/logs';
import { logGroups, type Environment } from './environments';
import { getServiceDetail } from './service-detail';

/**
 * Log search: a service's lines newest first, by text or CloudWatch filter pattern, over a
 * bounded time range, scoped to the service, one task or one deployment's tasks. Every search
 * makes at most MAX_CALLS_PER_SEARCH FilterLogEvents calls and reads at most MAX_LIMIT lines:
 * no input makes it scan without end.
 */
export const MAX_CALLS_PER_SEARCH = 8;
export const MAX_LIMIT = 500;
/** The longest range one search may cover. */
export const MAX_SPAN_MS = 14 * 24 * 3_600_000;
/** AWS refuses a filter pattern over 1,024 characters and more than two regular expressions in one. */
const MAX_PATTERN_LENGTH = 1_024;
const MAX_PATTERN_REGEXES = 2;
const MAX_TEXT_LENGTH = 256;
/** Around a permalinked time: the ten minutes before it and two after. */
const AT_BEFORE_MS = 10 * 60_000;
const AT_AFTER_MS = 2 * 60_000;

export const LOG_RANGES = { '15m': 15, '1h': 60, '3h': 180, '24h': 1_440, '7d': 10_080 } as const;
export type LogRangeName = keyof typeof LOG_RANGES;

/** ECS task ids: 32 hex characters (older ones, and the emulator's, are UUIDs). */
const TaskId = z.string().regex(/^[0-9a-f]{32}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, {
  message: 'must be an ECS task id (32 hex characters)',
});
const DeploymentId = z.string().regex(/^ecs-svc\/\d{1,25}$/, { message: 'must be an ECS deployment id (ecs-svc/…)' });
const Instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time such as 2026-12-05T10:00:00Z' });

/** The regular expressions in a filter pattern: each `%…%`. */
function regexesOf(pattern: string): string[] {
  return [...pattern.matchAll(/%((?:[^%\\]|\\.)*)%/g)].map((m) => m[1]);
}

/** Why a filter pattern is refused, or null: too long, unbalanced, or a regex that could run away. */
export function patternProblem(pattern: string): string | null {
  if (pattern.length > MAX_PATTERN_LENGTH) return `a pattern may be at most ${MAX_PATTERN_LENGTH} characters`;
  if ((pattern.match(/"/g)?.length ?? 0) % 2) return 'a quoted phrase is not closed';
  const regexes = regexesOf(pattern);
  if (regexes.length > MAX_PATTERN_REGEXES)
    return `a pattern may hold at most ${MAX_PATTERN_REGEXES} regular expressions (%…%)`;
  for (const source of regexes) {
    try {
      new RegExp(source);
    } catch (err) {
      return `%${source}% is not a regular expression: ${(err as Error).message}`;
    }
    // Nested repetition ((a+)+ and the like) can take exponential time to fail to match.
    if (!safeRegex(source)) return `%${source}% could take exponential time (nested repetition): simplify it`;
  }
  return null;
}

export const LogSearchQuery = z
  .object({
    q: z.string().trim().max(MAX_PATTERN_LENGTH, `at most ${MAX_PATTERN_LENGTH} characters`).default(''),
    mode: z.enum(['text', 'pattern']).default('text'),
    range: z.enum(Object.keys(LOG_RANGES) as [LogRangeName, ...LogRangeName[]]).default('1h'),
    from: Instant.optional(),
    to: Instant.optional(),
    at: Instant.optional(),
    line: z
      .string()
      .regex(/^[\w.:-]{1,128}$/)
      .optional(),
    task: TaskId.optional(),
    deployment: DeploymentId.optional(),
    before: z
      .string()
      .regex(/^\d{1,15}-\d{1,4}$/, { message: 'must be a cursor from a previous search' })
      .optional(),
    limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(100),
  })
  .superRefine((query, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (query.task && query.deployment) issue('deployment', 'search one task or one deployment, not both');
    if (query.at && (query.from || query.to)) issue('at', 'give a time (at) or a range (from, to), not both');
    if (query.from && query.to && Date.parse(query.from) >= Date.parse(query.to)) issue('from', 'must be before to');
    if (query.mode === 'text') {
      if (query.q.length > MAX_TEXT_LENGTH) issue('q', `text may be at most ${MAX_TEXT_LENGTH} characters`);
      if (query.q.includes('"')) issue('q', 'quotes are for patterns: choose "pattern" to write one');
    } else {
      const problem = patternProblem(query.q);
      if (problem) issue('q', problem);
    }
  });
export type LogSearchQuery = z.infer<typeof LogSearchQuery>;

/** The range a query asks for, in ms: `at`'s window, `from`–`to` (to defaults to now), or the last `range`. */
export function searchWindow(query: LogSearchQuery, now = Date.now()): { from: number; to: number } {
  if (query.at) {
    const at = Date.parse(query.at);
    return { from: at - AT_BEFORE_MS, to: at + AT_AFTER_MS };
  }
  const to = query.to ? Date.parse(query.to) : now;
  const from = query.from ? Date.parse(query.from) : to - LOG_RANGES[query.range] * 60_000;
  if (to - from > MAX_SPAN_MS) throw new AppError('invalid_input', 'from: the range may span at most 14 days');
  return { from, to };
}

/** The filter pattern a query sends: text is every word, each as a quoted term (all must appear). */
export function filterPattern(query: Pick<LogSearchQuery, 'q' | 'mode'>): string {
  if (query.mode === 'pattern') return query.q;
  return query.q
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => `"${word}"`)
    .join(' ');
}

/** The streams a scope reads: all (none named), one task's, or the deployment's tasks' (each checked to exist). */
async function resolveScope(
  env: Environment,
  role: ServiceRole,
  query: LogSearchQuery,
): Promise<{ scope: LogScope; streams: string[] }> {
  const group = logGroups(env).services[role];
  if (query.task) {
    const stream = taskLogStream(role, query.task);
    const found = await listLogStreams(env, group, stream, 1);
    if (!found.some((s) => s.name === stream))
      throw new AppError('invalid_input', `task: no task ${query.task} of ${role} has written to ${group}`);
    return { scope: { kind: 'task', taskId: query.task }, streams: [stream] };
  }
  if (query.deployment) {
    const detail = await getServiceDetail(env, role, `${env.ecs.cluster}-${role}`);
    const taskIds = [
      ...new Set(
        [...(detail.tasks.value ?? []), ...(detail.stoppedTasks.value ?? [])]
          .filter((t) => t.deploymentId === query.deployment)
          .map((t) => t.id),
      ),
    ].slice(0, FILTER_STREAMS_MAX);
    if (!taskIds.length)
      throw new AppError('invalid_input', `deployment: no task of ${query.deployment} is known to ECS for ${role}`);
    return {
      scope: { kind: 'deployment', deploymentId: query.deployment, taskIds },
      streams: taskIds.map((id) => taskLogStream(role, id)),
    };
  }
  return { scope: { kind: 'service' }, streams: [] };
}

/** `before`: the end of the next page (inclusive, ms) and how many lines at exactly that ms were already shown. */
function parseCursor(before: string | undefined): { end: number; skip: number } | null {
  if (!before) return null;
  const [end, skip] = before.split('-').map(Number);
  return { end, skip };
}

/**
 * Lines asked of FilterLogEvents per call: more than a page, so most searches take one call
 * (AWS allows 10,000 and 1 MB). A window denser than this is narrowed toward its end.
 */
const READ_PER_CALL = 1_000;
const READ_DENSE_WINDOW = 10_000;
/** The narrowest window: under it, the window is read whole (a second of logs fits in a few calls). */
const MIN_WINDOW_MS = 1_000;

/**
 * Newest first within a bounded number of calls. FilterLogEvents answers oldest first, so the
 * range is read from its end in windows: the whole range when it holds no more than
 * READ_PER_CALL lines, else the last minute, then windows four times wider each step while they
 * hold little; a window that holds more is narrowed toward its end and read again.
 */
export async function searchLogs(
  env: Environment,
  role: ServiceRole,
  query: LogSearchQuery,
  now = Date.now(),
): Promise<LogSearchResult> {
  const { from, to } = searchWindow(query, now);
  const { scope, streams } = await resolveScope(env, role, query);
  const group = logGroups(env).services[role];
  const pattern = filterPattern(query);
  const cursor = parseCursor(query.before);
  let end = Math.min(cursor?.end ?? to, to);
  let skipAtEnd = cursor?.skip ?? 0;
  let width = end - from + 1;
  let calls = 0;
  const lines: LogLine[] = [];
  let older: string | null = null;

  while (lines.length < query.limit && end >= from) {
    if (calls >= MAX_CALLS_PER_SEARCH) {
      older = `${end}-${skipAtEnd}`;
      break;
    }
    const start = Math.max(from, end - width + 1);
    const narrowest = end - start < MIN_WINDOW_MS;
    const read = (nextToken?: string) =>
      filterLogEvents(env, {
        group,
        streams,
        pattern,
        start,
        end,
        limit: narrowest ? READ_DENSE_WINDOW : READ_PER_CALL,
        nextToken,
      });
    let page = await read();
    calls++;
    if (page.nextToken && !narrowest && calls < MAX_CALLS_PER_SEARCH) {
      // More in this window than one call reads: only its newest are wanted, so look closer to its end.
      width = Math.max(MIN_WINDOW_MS - 1, Math.min(60_000, Math.floor((end - start) / 4)));
      continue;
    }
    let window = page.lines;
    while (page.nextToken && calls < MAX_CALLS_PER_SEARCH) {
      page = await read(page.nextToken);
      calls++;
      window = window.concat(page.lines);
    }
    if (page.nextToken) {
      // The window could not be read to its end within the budget: its newest lines are unknown,
      // so show none of it rather than older ones out of order; the cursor resumes here.
      older = `${end}-${skipAtEnd}`;
      break;
    }
    const newestFirst = window.reverse();
    // Lines at exactly `end` that the previous page already showed.
    let skipped = 0;
    const fresh = newestFirst.filter((line) => !(line.timestamp === end && skipped++ < skipAtEnd));
    const taken = fresh.slice(0, query.limit - lines.length);
    lines.push(...taken);
    if (taken.length < fresh.length) {
      const oldest = taken.at(-1)!;
      const sameMs = taken.filter((l) => l.timestamp === oldest.timestamp).length;
      older = `${oldest.timestamp}-${sameMs + (oldest.timestamp === end ? skipAtEnd : 0)}`;
      break;
    }
    end = start - 1;
    skipAtEnd = 0;
    width = width * 4;
  }
  if (lines.length >= query.limit && older === null && end >= from) older = `${end}-${skipAtEnd}`;
  return { lines, scope, from, to, older, calls };
}
