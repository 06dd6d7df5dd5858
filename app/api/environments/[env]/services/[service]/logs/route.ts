import { readRoute } from '@/lib/read-route';
import { LogSearchQuery, searchLogs } from '@/lib/logs';
import { serviceRoleOrThrow } from '@/lib/environments';

export const dynamic = 'force-dynamic';

/** GET ?q=&mode=&range=|from=&to=|at=&task=|deployment=&before=&limit=: the service's log lines, newest first (lib/logs.ts). */
export const GET = readRoute({
  role: 'viewer',
  query: LogSearchQuery,
  handle: async ({ environment, query, params }) => searchLogs(environment, serviceRoleOrThrow(params.service), query),
});
