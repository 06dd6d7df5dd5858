/**
 * The shared cache's shapes that the browser sees too (lib/cache.ts serves them): a part as it
 * arrives, with its age and last error, and the policy a source is cached under.
 */
import { z } from 'zod';
import { ErrorInfoSchema } from '../errors';

export type CachePolicy = {
  ttlMs: number;
  /** How long past its TTL a value may be served while it refreshes; defaults to ttlMs. */
  revalidateMs?: number;
  /** How long a value is kept at all: served, with its age and error, while upstream fails. */
  maxStaleMs: number;
  /** How long a refresher may hold the lock; also how long others wait for a cold fill. */
  lockMs?: number;
  /** How long past its TTL a value is still served without an error while upstream throttles; defaults to 30 s. */
  quietRateLimitMs?: number;
};

type ErrorInfoOrNull = z.ZodNullable<typeof ErrorInfoSchema>;
/** The schema of a part as lib/cache.ts serves it (spelled out: TypeScript loses it through a mapped type otherwise). */
export type CachedSchema<T extends z.ZodType> = z.ZodObject<{
  value: z.ZodNullable<T>;
  fetchedAt: z.ZodNullable<z.ZodNumber>;
  ageMs: z.ZodNullable<z.ZodNumber>;
  stale: z.ZodBoolean;
  error: ErrorInfoOrNull;
  sharedCacheError: ErrorInfoOrNull;
}>;

/** A part as lib/cache.ts serves it: the value (maybe old), its age, and the last error. */
export function cachedSchema<T extends z.ZodType>(value: T): CachedSchema<T> {
  return z.object({
    value: value.nullable(),
    fetchedAt: z.number().nullable(),
    ageMs: z.number().nullable(),
    stale: z.boolean(),
    error: ErrorInfoSchema.nullable(),
    sharedCacheError: ErrorInfoSchema.nullable(),
  });
}
