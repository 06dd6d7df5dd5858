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
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 5_000,
    commandTimeout: PRODUCER_COMMAND_TIMEOUT_MS,
  });
}
