import 'server-only';
import { AppError, HTTP_STATUS, UpstreamError } from '../model/errors';
import { log } from './log';

/**
 * How every route answers an error: one responder for read routes (lib/read-route.ts), actions
 * (lib/actions.ts) and the proxy, so a code means the same status and body everywhere.
 */

/** Seconds a caller is asked to wait after an upstream throttled us past the SDK's retries. */
export const THROTTLED_RETRY_AFTER_S = 5;

/**
 * The answer for an error: an AppError's code decides the status and its message is shown; an
 * upstream that throttled us past the SDK's retries is a 503 with Retry-After (nothing is wrong
 * with the request); anything else is a plain 500, logged with its cause and never echoed.
 */
export function errorResponse(err: unknown, requestId?: string): Response {
  const withId = requestId ? { requestId } : {};
  if (err instanceof UpstreamError && err.code === 'rate_limited') {
    const message = `${err.message}: nothing was done; try again in a moment`;
    return Response.json(
      { error: { code: 'unavailable', message }, ...withId },
      { status: 503, headers: { 'retry-after': String(THROTTLED_RETRY_AFTER_S) } },
    );
  }
  if (err instanceof AppError)
    return Response.json(
      { error: { code: err.code, message: err.message }, ...withId },
      { status: HTTP_STATUS[err.code] },
    );
  log.error({ err, requestId }, 'request failed');
  return Response.json(
    { error: { code: 'internal', message: 'internal error; see the server log' }, ...withId },
    { status: 500 },
  );
}
