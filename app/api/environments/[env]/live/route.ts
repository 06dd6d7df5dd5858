import { z } from 'zod';
import { requireApiEnvironment } from '@/lib/auth';
import { getLiveHub } from '@/lib/live-environments';
import { liveEventStream, SSE_HEADERS } from '@/lib/sse';

export const dynamic = 'force-dynamic';
/** Vercel ends the function here; the browser's EventSource reconnects with Last-Event-ID. */
export const maxDuration = 300;

const LastEventId = z.coerce.number().int().nonnegative().optional().catch(undefined);

/** GET /api/environments/{env}/live: the environment's snapshots as Server-Sent Events. */
export async function GET(request: Request, context: RouteContext<'/api/environments/[env]/live'>) {
  const { env } = await context.params;
  const { response } = await requireApiEnvironment(env, 'viewer');
  if (response) return response;
  const lastEventId = LastEventId.parse(request.headers.get('last-event-id') ?? undefined);
  return new Response(liveEventStream(getLiveHub(), env, { lastEventId, signal: request.signal }), { headers: SSE_HEADERS });
}
