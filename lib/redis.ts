import 'server-only';
import { Redis, type RedisOptions } from 'ioredis';
import { classifyRedisFailure } from '../contracts/redis-failures';
import { getConfig } from './config';
import { AppError } from '../model/errors';

/**
 * How the control plane talks to Redis: fail fast, never hang. A paused Redis (or a dead
 * TCP path) answers nothing, so every command gives up after REDIS_COMMAND_TIMEOUT_MS and
 * the caller reports that part as failed (lib/cache.ts falls back to reading directly).
 */
export const REDIS_COMMAND_TIMEOUT_MS = 1_500;

export const FAIL_FAST_REDIS_OPTIONS: RedisOptions = {
  maxRetriesPerRequest: 1,
  connectTimeout: 3_000,
  commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
};

/**
 * The control plane's one command connection per process (README, "Redis and Upstash"): well inside
 * Upstash's connection limits however many requests are in flight.
 */
let connection: Redis | undefined;

export function getRedis(): Redis {
  if (!connection) {
    const url = getConfig().REDIS_URL;
    if (!url) throw new AppError('unavailable', 'REDIS_URL is not set: the control plane needs Redis for its cache');
    connection = new Redis(url, FAIL_FAST_REDIS_OPTIONS);
    connection.on('error', () => {}); // each command reports its own failure; this only silences the event
  }
  return connection;
}

/** Ends that connection (a test file finishing, a process shutting down); getRedis() opens a new one. */
export function closeRedis(): void {
  connection?.disconnect();
  connection = undefined;
}

/** What an operator needs to read of a Redis failure (ioredis's own texts are for the log). */
export function describeRedisFailure(err: unknown): string {
  const failure = classifyRedisFailure(err);
  if (failure === 'timeout') return `no answer within ${REDIS_COMMAND_TIMEOUT_MS} ms`;
  if (failure === 'unreachable') return 'cannot connect';
  return err instanceof Error ? err.message : String(err);
}
