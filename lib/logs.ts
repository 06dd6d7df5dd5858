import 'server-only';
import safeRegex from 'safe-regex2';
import { z } from 'zod';
import { taskLogStream, type ServiceRole } from '../contracts/platform';
import { AppError } from '../model/errors';
import type { LogLine, LogScope, LogSearchResult } from '../model/schemas/logs';
import { FILTER_STREAMS_MAX, listLogStreams, MAX_CALLS_PER_SEARCH, readNewest } from './aws/logs';

export { MAX_CALLS_PER_SEARCH };
import { logGroups, type Environment } from './environments';
import { getServiceDetail } from './service-detail';
import { readSource } from './snapshot';

/**
 * Log search: a service's lines newest first, by text or CloudWatch filter pattern, over a
 * bounded time range, scoped to the service, one task or one deployment's tasks. Every search
 * makes at most MAX_CALLS_PER_SEARCH FilterLogEvents calls and reads at most MAX_LIMIT lines:
 * no input makes it scan without end.
 */
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
    // Its tasks: running and recently stopped (ECS), and stopped in the last 30 days (the events history).
    const [detail, history] = await Promise.all([
      getServiceDetail(env, role, `${env.ecs.cluster}-${role}`),
      readSource(env, 'history'),
    ]);
    const taskIds = [
      ...new Set(
        [
          ...(detail.tasks.value ?? []).map((t) => ({ id: t.id, deploymentId: t.deploymentId })),
          ...(detail.stoppedTasks.value ?? []).map((t) => ({ id: t.id, deploymentId: t.deploymentId })),
          ...(history.value?.stops ?? [])
            .filter((s) => s.role === role)
            .map((s) => ({ id: s.taskId, deploymentId: s.deploymentId })),
        ]
          .filter((t) => t.deploymentId === query.deployment)
          .map((t) => t.id),
      ),
    ].slice(0, FILTER_STREAMS_MAX);
    if (!taskIds.length)
      throw new AppError('invalid_input', `deployment: no task of ${query.deployment} is known for ${role} (30 days)`);
    return {
      scope: { kind: 'deployment', deploymentId: query.deployment, taskIds },
      streams: taskIds.map((id) => taskLogStream(role, id)),
    };
  }
  return { scope: { kind: 'service' }, streams: [] };
}

/** A service's lines, newest first (readNewest in lib/aws/logs.ts), within the query's range and scope. */
export async function searchLogs(
  env: Environment,
  role: ServiceRole,
  query: LogSearchQuery,
  now = Date.now(),
): Promise<LogSearchResult> {
  const { from, to } = searchWindow(query, now);
  const { scope, streams } = await resolveScope(env, role, query);
  const read = await readNewest(env, {
    group: logGroups(env).services[role],
    streams,
    pattern: filterPattern(query),
    from,
    to,
    limit: query.limit,
    before: query.before,
  });
  return { ...read, scope, from, to };
}

/** A job's lines kept at most: its attempts rarely write more. */
export const JOB_LINES = 200;

/**
 * What the worker wrote for one job, across its attempts: every line the worker writes for a
 * job carries its id (worker/worker.ts), found with a JSON filter pattern over the job's
 * lifetime (from its creation to a minute after it finished, at most 14 days). Oldest first.
 */
export async function jobLogLines(
  env: Environment,
  job: { id: string; createdAt: string; finishedAt: string | null },
  now = Date.now(),
): Promise<{ lines: LogLine[]; truncated: boolean }> {
  const from = Date.parse(job.createdAt) - 1_000;
  const to = Math.min(now, job.finishedAt ? Date.parse(job.finishedAt) + 60_000 : now, from + MAX_SPAN_MS);
  const read = await readNewest(env, {
    group: logGroups(env).services.worker,
    pattern: `{ $.jobId = ${JSON.stringify(job.id)} }`,
    from,
    to,
    limit: JOB_LINES,
  });
  return { lines: read.lines.reverse(), truncated: read.older !== null };
}
