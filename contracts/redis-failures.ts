/**
 * What a Redis failure is, decided once for the control plane and the services: a Redis that
 * cannot be reached (down, restarting, paused past the command timeout) is `unavailable` (the
 * api answers 503 with Retry-After, a page shows the part's error); a Redis *reply* error (a
 * bug on our side) is not one of them.
 */
export type RedisFailure = 'timeout' | 'unreachable' | null;

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

/** ioredis's ways of saying it: a timed-out command, or no connection (with its retries spent). */
export function classifyRedisFailure(err: unknown): RedisFailure {
  if (!(err instanceof Error)) return null;
  if (/Command timed out/i.test(err.message)) return 'timeout';
  if (err.name === 'MaxRetriesPerRequestError') return 'unreachable';
  const code = (err as NodeJS.ErrnoException).code;
  if (code && UNREACHABLE_CODES.has(code)) return 'unreachable';
  return /max retries|Connection is closed|Stream isn't writeable|ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT/i.test(
    err.message,
  )
    ? 'unreachable'
    : null;
}

export function isRedisUnavailable(err: unknown): boolean {
  return classifyRedisFailure(err) !== null;
}
