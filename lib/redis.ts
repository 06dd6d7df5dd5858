import 'server-only';
import { Redis } from 'ioredis';
import { getConfig } from './config';

/**
 * The control plane's one command connection per process (DESIGN.md, Redis): well inside
 * Upstash's connection limits however many requests are in flight. Fails fast: a page
 * must report a Redis outage, not hang on it.
 */
let connection: Redis | undefined;

export function getRedis(): Redis {
  if (!connection) {
    const url = getConfig().REDIS_URL;
    if (!url) throw new Error('REDIS_URL is not set: the control plane needs Redis for its cache');
    connection = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 5_000, lazyConnect: false });
    connection.on('error', () => {}); // each command reports its own failure; this only silences the event
  }
  return connection;
}
