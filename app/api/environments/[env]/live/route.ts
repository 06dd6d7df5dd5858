import { z } from 'zod';
import { stillHasRole } from '@/lib/auth';
import { readRoute } from '@/lib/read-route';
import { getLiveHub } from '@/lib/live-environments';
import { liveEventStream, SSE_HEADERS } from '@/lib/sse';

export const dynamic = 'force-dynamic';
/** Vercel ends the function here; the browser's EventSource reconnects with Last-Event-ID. */
export const maxDuration = 300;

const LastEventId = z.coerce.number().int().nonnegative().optional().catch(undefined);

/** GET /api/environments/{env}/live: the environment's snapshots as Server-Sent Events. */
export const GET = readRoute({
  role: 'viewer',
  handle: async ({ request, environment, user }) => {
    const lastEventId = LastEventId.parse(request.headers.get('last-event-id') ?? undefined);
    const stillAllowed = () => stillHasRole(user.login, environment.name, 'viewer');
    return new Response(
      liveEventStream(getLiveHub(), environment.name, { lastEventId, signal: request.signal, stillAllowed }),
      { headers: SSE_HEADERS },
    );
  },
});
