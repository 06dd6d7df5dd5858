import 'server-only';
import type { Redis } from 'ioredis';

/**
 * The one lock the control plane takes in Redis, for everything that one caller across all
 * instances must do: the cache's refresh (lib/cache.ts), the live refresher's lease
 * (lib/live.ts), and one change at a time per service (lib/change-lock.ts). A lock is a key
 * holding its holder's token, with an expiry, so a crashed holder cannot wedge it. Every
 * change to a held lock checks the token in the same Lua script that makes it: a holder that
 * lost its lock (paused past the expiry) can never release, renew or write over the next one.
 */

/** Prefixes a Lua body so it runs only while KEYS[1] holds the token ARGV[1] (0 otherwise). */
export function whileHolding(body: string): string {
  return `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end\n${body}`;
}

const RELEASE = whileHolding(`return redis.call('DEL', KEYS[1])`);
const RENEW = whileHolding(`return redis.call('PEXPIRE', KEYS[1], ARGV[2])`);
// Sets the lock to a new value only if it still holds the one read (or is still free): of two
// callers that read the same state, exactly one moves it on.
const SWAP = `
local current = redis.call('GET', KEYS[1])
if (current == false and ARGV[1] == '') or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0`;

/** Takes the lock if it is free. */
export async function acquireLock(redis: Redis, key: string, token: string, ttlMs: number): Promise<boolean> {
  return (await redis.set(key, token, 'PX', ttlMs, 'NX')) === 'OK';
}

/** Gives the lock up, if this token still holds it. */
export async function releaseLock(redis: Redis, key: string, token: string): Promise<boolean> {
  return (await redis.eval(RELEASE, 1, key, token)) === 1;
}

/** Extends the lock's life, if this token still holds it. */
export async function renewLock(redis: Redis, key: string, token: string, ttlMs: number): Promise<boolean> {
  return (await redis.eval(RENEW, 1, key, token, ttlMs)) === 1;
}

/** Replaces the lock's value with `next` if it is still `expected` (null: still free). */
export async function swapLock(
  redis: Redis,
  key: string,
  expected: string | null,
  next: string,
  ttlMs: number,
): Promise<boolean> {
  return (await redis.eval(SWAP, 1, key, expected ?? '', next, ttlMs)) === 1;
}
