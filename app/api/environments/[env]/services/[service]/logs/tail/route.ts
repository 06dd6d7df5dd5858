import { readRoute } from '@/lib/read-route';
import { serviceRoleOrThrow } from '@/lib/environments';
import { getTailHub, tailName } from '@/lib/log-tail';
import { liveEventStream, SSE_HEADERS } from '@/lib/sse';

export const dynamic = 'force-dynamic';
/** Vercel ends the function here; the browser's EventSource reconnects. */
export const maxDuration = 300;

/** GET: the service's new log lines as Server-Sent Events, from the one shared reader of its log group (lib/log-tail.ts). */
export const GET = readRoute({
  role: 'viewer',
  handle: async ({ request, environment, params }) => {
    const role = serviceRoleOrThrow(params.service);
    return new Response(liveEventStream(getTailHub(), tailName(environment.name, role), { signal: request.signal }), {
      headers: SSE_HEADERS,
    });
  },
});
