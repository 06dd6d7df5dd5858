import 'server-only';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { keys } from './keys';

/**
 * Get-or-refresh over Redis, shared by every instance of the control plane:
 * - fresh (younger than `ttlMs`): served from Redis;
 * - stale, but younger than `ttlMs + revalidateMs`: served at once, and exactly one caller
 *   across all instances refreshes it in the background (stale-while-revalidate);
 * - older than that (nobody was watching): refreshed before it is served, by one caller
 *   while the others wait, so a dashboard opened after a quiet hour never shows the hour-old
 *   value as current; if that refresh fails, the old value is served with its age and error;
 * - cold: exactly one caller fetches (a Redis lock, SET NX PX, which expires so a crashed
 *   refresher cannot wedge the key); the others wait for its value;
 * - upstream failure: the last value is kept and served with its age and the error; with
 *   no value, the error itself is cached briefly, so an outage is not retried by every reader.
 * In one process, concurrent reads of a key share one Redis round trip.
 */
export type CachePolicy = {
  ttlMs: number;
  /** How long past its TTL a value may be served while it refreshes; defaults to ttlMs. */
  revalidateMs?: number;
  /** How long a value is kept at all: served, with its age and error, while upstream fails. */
  maxStaleMs: number;
  /** How long a refresher may hold the lock; also how long others wait for a cold fill. */
  lockMs?: number;
};

export type Cached<T> = {
  value: T | null;
  /** When the value was fetched from upstream (ms since epoch), null if never. */
  fetchedAt: number | null;
  ageMs: number | null;
  stale: boolean;
  /** The last refresh's error, if it failed: the value (if any) is older than it looks fresh. */
  error: string | null;
};

const EntrySchema = z.object({
  value: z.unknown(),
  fetchedAt: z.number().nullable(),
  error: z.string().nullable(),
  /** When the entry was last written (a fetch or a failed attempt). */
  checkedAt: z.number(),
});
type Entry = z.infer<typeof EntrySchema>;

const DEFAULT_LOCK_MS = 10_000;
const WAIT_POLL_MS = 25;

// Deletes the lock only if we still hold it: a slow refresher must not free another's lock.
const RELEASE_LOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export class CacheFillTimeoutError extends Error {}

export function createCache(redis: Redis, options: { now?: () => number } = {}) {
  const now = options.now ?? Date.now;
  const inflight = new Map<string, Promise<Cached<unknown>>>();

  async function readEntry(name: string): Promise<Entry | null> {
    const raw = await redis.get(keys.cacheEntry(name));
    if (raw === null) return null;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return null;
    }
    const parsed = EntrySchema.safeParse(json);
    return parsed.success ? parsed.data : null; // a malformed entry is refilled, never trusted
  }

  async function tryLock(name: string, lockMs: number): Promise<string | null> {
    const token = randomUUID();
    return (await redis.set(keys.cacheLock(name), token, 'PX', lockMs, 'NX')) === 'OK' ? token : null;
  }

  async function refresh<T>(name: string, policy: CachePolicy, token: string, previous: Entry | null, fetcher: () => Promise<T>): Promise<Entry> {
    let entry: Entry;
    try {
      const value = await fetcher();
      entry = { value, fetchedAt: now(), error: null, checkedAt: now() };
    } catch (err) {
      entry = {
        value: previous?.value ?? null,
        fetchedAt: previous?.fetchedAt ?? null,
        error: err instanceof Error ? err.message : String(err),
        checkedAt: now(),
      };
    }
    try {
      await redis.set(keys.cacheEntry(name), JSON.stringify(entry), 'PX', policy.ttlMs + policy.maxStaleMs);
    } finally {
      await redis.eval(RELEASE_LOCK, 1, keys.cacheLock(name), token).catch(() => {});
    }
    return entry;
  }

  /** Another caller is refreshing a too-old entry: wait for its write, or serve the old one. */
  async function waitForRefresh(name: string, old: Entry, lockMs: number): Promise<Entry> {
    const deadline = now() + lockMs;
    while (now() < deadline) {
      await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
      const current = await readEntry(name);
      if (current && current.checkedAt !== old.checkedAt) return current;
    }
    return old;
  }

  function toResult<T>(entry: Entry, policy: CachePolicy, schema: z.ZodType<T>): Cached<T> {
    const value = entry.value === null ? null : schema.parse(entry.value);
    const ageMs = entry.fetchedAt === null ? null : now() - entry.fetchedAt;
    return { value, fetchedAt: entry.fetchedAt, ageMs, stale: ageMs === null || ageMs >= policy.ttlMs, error: entry.error };
  }

  async function read<T>(name: string, policy: CachePolicy, schema: z.ZodType<T>, fetcher: () => Promise<T>): Promise<Cached<T>> {
    const lockMs = policy.lockMs ?? DEFAULT_LOCK_MS;
    const entry = await readEntry(name);
    if (entry) {
      // A failed attempt counts as a check: no refresh storm while upstream is down.
      const sinceCheck = now() - entry.checkedAt;
      if (sinceCheck < policy.ttlMs) return toResult(entry, policy, schema);
      const token = await tryLock(name, lockMs);
      if (sinceCheck < policy.ttlMs + (policy.revalidateMs ?? policy.ttlMs)) {
        if (token) void refresh(name, policy, token, entry, fetcher).catch(() => {});
        return toResult(entry, policy, schema);
      }
      if (token) return toResult(await refresh(name, policy, token, entry, fetcher), policy, schema);
      return toResult(await waitForRefresh(name, entry, lockMs), policy, schema);
    }
    const deadline = now() + lockMs;
    for (;;) {
      const token = await tryLock(name, lockMs);
      if (token) return toResult(await refresh(name, policy, token, null, fetcher), policy, schema);
      await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
      const filled = await readEntry(name);
      if (filled) return toResult(filled, policy, schema);
      if (now() > deadline) throw new CacheFillTimeoutError(`cache ${name}: no value within ${lockMs} ms`);
    }
  }

  return {
    /** Reads `name` through the cache; `fetcher` runs at most once across all instances per refresh. */
    get<T>(name: string, policy: CachePolicy, schema: z.ZodType<T>, fetcher: () => Promise<T>): Promise<Cached<T>> {
      let pending = inflight.get(name) as Promise<Cached<T>> | undefined;
      if (!pending) {
        pending = read(name, policy, schema, fetcher).finally(() => inflight.delete(name));
        inflight.set(name, pending);
      }
      return pending;
    },
  };
}

export type Cache = ReturnType<typeof createCache>;
