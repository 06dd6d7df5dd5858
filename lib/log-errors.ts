import 'server-only';
import { SERVICE_ROLES, type ServiceRole } from '../contracts/platform';
import type { ErrorGroup, TopErrors } from '../model/schemas/log-errors';
import { runInsightsQuery } from './aws/logs';
import { logGroups, type Environment } from './environments';

/**
 * The environment's top error messages: one Logs Insights query over both services' log groups,
 * bounded in time (the last TOP_ERRORS_MINUTES) and in rows (TOP_ERRORS_GROUPS). An error line
 * is a pino line at level error or above, or a line that is not JSON and says error, exception,
 * fatal or panic (a crash's stack on stderr). Lines group by message and detail (`err`).
 */
export const TOP_ERRORS_MINUTES = 15;
export const TOP_ERRORS_GROUPS = 10;

export const TOP_ERRORS_QUERY = [
  'filter level >= 50 or (not ispresent(level) and @message like /(?i)(error|exception|fatal|panic)/)',
  "fields coalesce(msg, @message) as message, coalesce(err.message, err, '') as detail",
  'stats count(*) as count, min(@timestamp) as firstSeen, max(@timestamp) as lastSeen by @log, message, detail',
  'sort count desc',
  `limit ${TOP_ERRORS_GROUPS}`,
].join(' | ');

/** Insights writes times as `2026-12-05 10:00:00.000`, in UTC. */
function insightsTime(value: string | undefined): string {
  const ms = Date.parse(`${(value ?? '').replace(' ', 'T')}Z`);
  return new Date(Number.isNaN(ms) ? 0 : ms).toISOString();
}

export async function readTopErrors(
  env: Environment,
  now = Date.now(),
  minutes = TOP_ERRORS_MINUTES,
): Promise<TopErrors> {
  const groups = logGroups(env).services;
  const roleOf = (group: string | undefined): ServiceRole | null =>
    SERVICE_ROLES.find((role) => groups[role] === group) ?? null;
  const from = now - minutes * 60_000;
  const rows = await runInsightsQuery(env, {
    groups: SERVICE_ROLES.map((role) => groups[role]),
    query: TOP_ERRORS_QUERY,
    start: from,
    end: now,
    limit: TOP_ERRORS_GROUPS,
  });
  const found: ErrorGroup[] = rows.map((row) => ({
    role: roleOf(row['@log']),
    message: row.message ?? '',
    detail: row.detail ?? '',
    count: Number(row.count ?? 0),
    firstSeen: insightsTime(row.firstSeen),
    lastSeen: insightsTime(row.lastSeen),
  }));
  return { from: new Date(from).toISOString(), to: new Date(now).toISOString(), groups: found };
}
