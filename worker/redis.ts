import { Redis } from 'ioredis';

/**
 * Connections to the one Redis (Upstash over rediss:// in production). Workers block on
 * BullMQ commands and must retry forever (`maxRetriesPerRequest: null`, as BullMQ requires);
 * producers fail fast so an HTTP request never hangs on a Redis outage.
 */
export function workerConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

/** For periodic reads (the backlog metric): queues commands while reconnecting, gives up after one retry. */
export function readerConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1 });
}

/** A paused Redis answers nothing: a request waits at most this for each command, then gets a 503. */
export const PRODUCER_COMMAND_TIMEOUT_MS = 2_000;

export function producerConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 5_000, commandTimeout: PRODUCER_COMMAND_TIMEOUT_MS });
}

/**
 * True for the errors of a Redis that cannot be reached (down, restarting, paused past the
 * command timeout): the api answers those 503 with Retry-After, not 500. A Redis *reply*
 * error (a bug on our side) is not one of them.
 */
export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  const code = (err as NodeJS.ErrnoException).code;
  if (code && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code)) return true;
  return /Connection is closed|Stream isn't writeable|Command timed out|connect ETIMEDOUT|ECONNREFUSED|Reached the max retries/i.test(err.message);
}
