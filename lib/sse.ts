import 'server-only';
import type { LiveHub } from './live';

/** How often an idle stream sends a comment line, so proxies and browsers keep it open. */
export const SSE_HEARTBEAT_MS = 15_000;
/** What EventSource waits before it reconnects after the stream ends (Vercel ends long functions). */
export const SSE_RETRY_MS = 2_000;
/** How often an open stream asks again whether its viewer still has the role (the roles themselves are cached, lib/access.ts). */
export const SSE_RECHECK_MS = 60_000;
/** What an `ended` event says when the viewer lost the role. */
export const STREAM_ENDED_NO_ROLE = 'you no longer have a role in this environment';

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
} as const;

/**
 * A live hub's messages for one environment as Server-Sent Events: `snapshot` events whose
 * id is the message's version. A client that reconnects sends Last-Event-ID; since every
 * message carries the whole snapshot, sending the latest (when newer) leaves no gap.
 * Ends, and gives up its subscription, when the request is aborted.
 */
export function liveEventStream<T>(
  hub: LiveHub<T>,
  environment: string,
  options: {
    lastEventId?: number;
    signal: AbortSignal;
    heartbeatMs?: number;
    /**
     * Whether the viewer may still watch, asked every `recheckMs`: a stream outlives the request
     * that authorized it, so a viewer who loses the role has it ended (an `ended` event, then
     * close) instead of watching on. A failed check keeps the stream: roles that cannot be
     * checked lapse on their own (lib/access.ts), and the next check then says no.
     */
    stillAllowed?: () => Promise<boolean>;
    recheckMs?: number;
  },
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cleanup = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      const send = (text: string) => {
        if (!closed) controller.enqueue(encoder.encode(text));
      };
      send(`retry: ${SSE_RETRY_MS}\n\n`);
      const unsubscribe = hub.subscribe(
        environment,
        (message) => {
          if (options.lastEventId !== undefined && message.version <= options.lastEventId) return;
          send(`id: ${message.version}\nevent: snapshot\ndata: ${JSON.stringify(message)}\n\n`);
        },
        (err) =>
          send(
            `event: problem\ndata: ${JSON.stringify({ message: err instanceof Error ? err.message : String(err) })}\n\n`,
          ),
      );
      const heartbeat = setInterval(
        () => send(`: ${new Date().toISOString()}\n\n`),
        options.heartbeatMs ?? SSE_HEARTBEAT_MS,
      );
      const { stillAllowed } = options;
      const recheck = stillAllowed
        ? setInterval(() => {
            stillAllowed().then(
              (allowed) => {
                if (allowed || closed) return;
                send(`event: ended\ndata: ${JSON.stringify({ reason: STREAM_ENDED_NO_ROLE })}\n\n`);
                cleanup();
              },
              () => {},
            );
          }, options.recheckMs ?? SSE_RECHECK_MS)
        : undefined;
      cleanup = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        clearInterval(recheck);
        unsubscribe();
        try {
          controller.close();
        } catch {
          // already closed by the runtime
        }
      };
      if (options.signal.aborted) cleanup();
      else options.signal.addEventListener('abort', cleanup, { once: true });
    },
    cancel() {
      cleanup();
    },
  });
}
