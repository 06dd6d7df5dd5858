import 'server-only';
import { waitUntil } from '@vercel/functions';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AppError, ErrorInfoSchema, toErrorInfo, type ErrorInfo } from '../model/errors';
import { keys } from '../contracts/keys';
import { describeRedisFailure } from './redis';
import { acquireLock, releaseLock, whileHolding } from './redis-lock';
import type { CachePolicy } from '../model/schemas/cache';

/**
 * Get-or-refresh over Redis, shared by every instance of the control plane:
 * - fresh (younger than `ttlMs`): served from Redis;
 * - stale, but younger than `ttlMs + revalidateMs`: served at once, and exactly one caller
 *   across all instances refreshes it in the background (stale-while-revalidate; on Vercel
 *   the refresh is handed to `waitUntil`, so it outlives the response);
 * - older than that (nobody was watching): refreshed before it is served, by one caller
 *   while the others wait, so a dashboard opened after a quiet hour never shows the hour-old
 *   value as current; if that refresh fails, the old value is served with its age and error;
 * - cold: exactly one caller fetches (a Redis lock, SET NX PX, which expires so a crashed
 *   refresher cannot wedge the key); the others wait for its value, and past the lock's
 *   life get a `timeout` error for that part rather than a failed page;
 * - upstream failure: the last value is kept and served with its age and the error; with
 *   no value, the error itself is cached briefly, so an outage is not retried by every reader;
 * - upstream throttling (`rate_limited`, after the SDK's own retries) on a value at most
 *   `quietRateLimitMs` past its TTL: the value is served with its real age and no error, and
 *   the next check retries, one TTL later as for any failure: throttling is weather, not an outage;
 * - a hung upstream: the fetch is abandoned after `fetchTimeoutMs` (inside the lock's life, so
 *   no second refresher starts meanwhile), and a refresher whose lock has expired never
 *   overwrites a newer value (the write is conditional on still holding the lock);
 * - a value the current schema rejects (written by an older deploy): a miss, refetched;
 * - Redis itself failing (down, paused, timing out): each read falls back to a small cache in
 *   this process and says so (`sharedCacheError`), so the page still shows AWS and GitHub.
 * In one process, concurrent reads of a key share one round trip.
 */
export type { CachePolicy } from '../model/schemas/cache';

const DEFAULT_QUIET_RATE_LIMIT_MS = 30_000;

export type Cached<T> = {
  value: T | null;
  /** When the value was fetched from upstream (ms since epoch), null if never. */
  fetchedAt: number | null;
  ageMs: number | null;
  stale: boolean;
  /** The last refresh's error, if it failed: the value (if any) is older than it looks fresh. */
  error: ErrorInfo | null;
  /** The shared cache (Redis) failed: this value was read by this instance on its own. */
  sharedCacheError: ErrorInfo | null;
};

const EntrySchema = z.object({
  value: z.unknown(),
  fetchedAt: z.number().nullable(),
  error: ErrorInfoSchema.nullable(),
  /** When the entry was last written (a fetch or a failed attempt). */
  checkedAt: z.number(),
});
type Entry = z.infer<typeof EntrySchema>;

export const DEFAULT_LOCK_MS = 10_000;
/** Leaves the refresher this long to write its value before its lock expires. */
const WRITE_MARGIN_MS = 2_000;
const WAIT_POLL_MS = 25;

// Writes the entry only while we still hold the lock, then releases it: a refresher that
// outlived its lock (a slow upstream) must not overwrite the newer value of the next one.
const WRITE_IF_LOCKED = whileHolding(`
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
redis.call('DEL', KEYS[1])
return 1`);

export type CacheOptions = {
  now?: () => number;
  /** Keeps a background refresh alive past the response (Vercel's waitUntil by default; a no-op elsewhere). */
  background?: (work: Promise<unknown>) => void;
  /** Told about every failed upstream fetch and every shared-cache failure (the server log). */
  onError?: (event: { name: string; kind: 'upstream' | 'shared-cache'; error: ErrorInfo }) => void;
};

function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError('timeout', `${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

function sharedError(err: unknown): ErrorInfo {
  return { ...toErrorInfo(err), message: `Shared cache (Redis) unavailable: ${describeRedisFailure(err)}` };
}

export function createCache(redis: Redis, options: CacheOptions = {}) {
  const now = options.now ?? Date.now;
  const background = options.background ?? ((work) => waitUntil(work));
  const report = options.onError ?? (() => {});
  const inflight = new Map<string, Promise<Cached<unknown>>>();
  /** This process's own copies, used only while Redis fails. */
  const local = new Map<string, Entry>();

  async function readEntry<T>(name: string, schema: z.ZodType<T>): Promise<Entry | null> {
    const raw = await redis.get(keys.cacheEntry(name));
    if (raw === null) return null;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return null;
    }
    const parsed = EntrySchema.safeParse(json);
    // A malformed entry, or a value today's schema rejects (an older deploy wrote it): a miss.
    if (!parsed.success) return null;
    if (parsed.data.value !== null && !schema.safeParse(parsed.data.value).success) return null;
    return parsed.data;
  }

  async function tryLock(name: string, lockMs: number): Promise<string | null> {
    const token = randomUUID();
    return (await acquireLock(redis, keys.cacheLock(name), token, lockMs)) ? token : null;
  }

  /**
   * Takes the refresh lock, unless someone refreshed the entry since we read it (`seen`):
   * between our read and our lock, another refresher may have written and released, and
   * fetching again then would break single-flight. Returns the lock's token or that entry.
   */
  async function lockUnlessRefreshed<T>(
    name: string,
    schema: z.ZodType<T>,
    seen: Entry | null,
    lockMs: number,
  ): Promise<{ token: string } | { entry: Entry } | null> {
    const token = await tryLock(name, lockMs);
    if (!token) return null;
    const current = await readEntry(name, schema).catch(async (err: unknown) => {
      await releaseLock(redis, keys.cacheLock(name), token).catch(() => {});
      throw err;
    });
    if (current && current.checkedAt !== seen?.checkedAt) {
      await releaseLock(redis, keys.cacheLock(name), token).catch(() => {}); // it expires anyway
      return { entry: current };
    }
    return { token };
  }

  async function fetchEntry<T>(
    name: string,
    policy: CachePolicy,
    schema: z.ZodType<T>,
    previous: Entry | null,
    fetcher: () => Promise<T>,
    timeoutMs: number,
  ): Promise<Entry> {
    try {
      const value = await withDeadline(fetcher(), timeoutMs, `refreshing ${name}`);
      // A value the schema rejects is a bug upstream of the cache: an error for this part,
      // never stored (it would be refetched by every reader) nor blamed on Redis.
      const checked = schema.safeParse(value);
      if (!checked.success)
        throw new AppError(
          'internal',
          `${name}: unexpected shape (${checked.error.issues[0]?.path.join('.')}: ${checked.error.issues[0]?.message})`,
        );
      return { value: checked.data, fetchedAt: now(), error: null, checkedAt: now() };
    } catch (err) {
      const error = toErrorInfo(err);
      report({ name, kind: 'upstream', error });
      const quiet =
        error.code === 'rate_limited' &&
        previous?.fetchedAt != null &&
        now() - previous.fetchedAt < policy.ttlMs + (policy.quietRateLimitMs ?? DEFAULT_QUIET_RATE_LIMIT_MS);
      return {
        value: previous?.value ?? null,
        fetchedAt: previous?.fetchedAt ?? null,
        error: quiet ? null : error,
        checkedAt: now(),
      };
    }
  }

  /**
   * Fetches and writes while holding the lock. A failed write (Redis timing out) does not
   * cost a second upstream fetch: the fetched value is served, marked as not shared.
   */
  async function refresh<T>(
    name: string,
    policy: CachePolicy,
    schema: z.ZodType<T>,
    token: string,
    previous: Entry | null,
    fetcher: () => Promise<T>,
  ): Promise<{ entry: Entry; sharedCacheError: ErrorInfo | null }> {
    const lockMs = policy.lockMs ?? DEFAULT_LOCK_MS;
    const entry = await fetchEntry(
      name,
      policy,
      schema,
      previous,
      fetcher,
      Math.max(lockMs - WRITE_MARGIN_MS, lockMs / 2),
    );
    try {
      await redis.eval(
        WRITE_IF_LOCKED,
        2,
        keys.cacheLock(name),
        keys.cacheEntry(name),
        token,
        JSON.stringify(entry),
        policy.ttlMs + policy.maxStaleMs,
      );
      return { entry, sharedCacheError: null };
    } catch (err) {
      const sharedCacheError = sharedError(err);
      report({ name, kind: 'shared-cache', error: sharedCacheError });
      await releaseLock(redis, keys.cacheLock(name), token).catch(() => {});
      local.set(name, entry);
      return { entry, sharedCacheError };
    }
  }

  /** Another caller is refreshing a too-old entry: wait for its write, or serve the old one. */
  async function waitForRefresh<T>(name: string, schema: z.ZodType<T>, old: Entry, lockMs: number): Promise<Entry> {
    const deadline = now() + lockMs;
    while (now() < deadline) {
      await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
      const current = await readEntry(name, schema);
      if (current && current.checkedAt !== old.checkedAt) return current;
    }
    return old;
  }

  function toResult<T>(
    entry: Entry,
    policy: CachePolicy,
    schema: z.ZodType<T>,
    sharedCacheError: ErrorInfo | null = null,
  ): Cached<T> {
    const value = entry.value === null ? null : schema.parse(entry.value);
    const ageMs = entry.fetchedAt === null ? null : now() - entry.fetchedAt;
    return {
      value,
      fetchedAt: entry.fetchedAt,
      ageMs,
      stale: ageMs === null || ageMs >= policy.ttlMs,
      error: entry.error,
      sharedCacheError,
    };
  }

  async function readShared<T>(
    name: string,
    policy: CachePolicy,
    schema: z.ZodType<T>,
    fetcher: () => Promise<T>,
  ): Promise<Cached<T>> {
    const lockMs = policy.lockMs ?? DEFAULT_LOCK_MS;
    const entry = await readEntry(name, schema);
    if (entry) {
      // A failed attempt counts as a check: no refresh storm while upstream is down.
      const sinceCheck = now() - entry.checkedAt;
      if (sinceCheck < policy.ttlMs) return toResult(entry, policy, schema);
      const lock = await lockUnlessRefreshed(name, schema, entry, lockMs);
      if (lock && 'entry' in lock) return toResult(lock.entry, policy, schema);
      if (sinceCheck < policy.ttlMs + (policy.revalidateMs ?? policy.ttlMs)) {
        if (lock) background(refresh(name, policy, schema, lock.token, entry, fetcher));
        return toResult(entry, policy, schema);
      }
      if (lock) {
        const fresh = await refresh(name, policy, schema, lock.token, entry, fetcher);
        return toResult(fresh.entry, policy, schema, fresh.sharedCacheError);
      }
      return toResult(await waitForRefresh(name, schema, entry, lockMs), policy, schema);
    }
    const deadline = now() + lockMs;
    for (;;) {
      const lock = await lockUnlessRefreshed(name, schema, null, lockMs);
      if (lock && 'entry' in lock) return toResult(lock.entry, policy, schema);
      if (lock) {
        const fresh = await refresh(name, policy, schema, lock.token, null, fetcher);
        return toResult(fresh.entry, policy, schema, fresh.sharedCacheError);
      }
      await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
      const filled = await readEntry(name, schema);
      if (filled) return toResult(filled, policy, schema);
      if (now() > deadline) {
        const error: ErrorInfo = {
          code: 'timeout',
          message: `no value for ${name} within ${lockMs} ms (another instance is fetching it)`,
          upstream: null,
          requestId: null,
        };
        return { value: null, fetchedAt: null, ageMs: null, stale: true, error, sharedCacheError: null };
      }
    }
  }

  /** Redis failed: serve this process's own copy, refreshed at most once per TTL. */
  async function readLocal<T>(
    name: string,
    policy: CachePolicy,
    schema: z.ZodType<T>,
    fetcher: () => Promise<T>,
    sharedCacheError: ErrorInfo,
  ): Promise<Cached<T>> {
    let entry = local.get(name);
    if (!entry || now() - entry.checkedAt >= policy.ttlMs) {
      entry = await fetchEntry(
        name,
        policy,
        schema,
        entry ?? null,
        fetcher,
        (policy.lockMs ?? DEFAULT_LOCK_MS) - WRITE_MARGIN_MS,
      );
      local.set(name, entry);
    }
    return toResult(entry, policy, schema, sharedCacheError);
  }

  return {
    /** Reads `name` through the cache; `fetcher` runs at most once across all instances per refresh. Never throws. */
    get<T>(name: string, policy: CachePolicy, schema: z.ZodType<T>, fetcher: () => Promise<T>): Promise<Cached<T>> {
      let pending = inflight.get(name) as Promise<Cached<T>> | undefined;
      if (!pending) {
        pending = readShared(name, policy, schema, fetcher)
          .then((result) => {
            if (!result.sharedCacheError) local.delete(name); // Redis is back: drop this process's copy
            return result;
          })
          .catch((err: unknown) => {
            const sharedCacheError = sharedError(err);
            report({ name, kind: 'shared-cache', error: sharedCacheError });
            return readLocal(name, policy, schema, fetcher, sharedCacheError);
          })
          .finally(() => inflight.delete(name));
        inflight.set(name, pending);
      }
      return pending;
    },
    /** The shared Redis this cache lives in (the refresher keeps its queue samples there too). */
    redis,
    /** Drops `name` everywhere, so the next read fetches (a person's roles, just looked up at sign-in). */
    async forget(name: string): Promise<void> {
      local.delete(name);
      await redis.del(keys.cacheEntry(name));
    },
  };
}

export type Cache = ReturnType<typeof createCache>;
