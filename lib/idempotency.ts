import 'server-only';
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { AppError } from '../model/errors';
import { keys } from '../contracts/keys';

/**
 * An action's first answer, kept per person and Idempotency-Key: a repeat (a double click, a
 * retry after a lost answer) gets that answer again and nothing is done a second time; the same
 * key with another request is refused.
 */

/** A repeat within this time returns the first answer. */
export const IDEMPOTENCY_TTL_S = 600;

export const IdempotencyKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,128}$/, 'the Idempotency-Key header must be 8 to 128 letters, digits, - or _');

const StoredAnswerSchema = z.object({
  hash: z.string(),
  state: z.enum(['running', 'done']),
  status: z.number().int().optional(),
  payload: z.unknown().optional(),
});
type StoredAnswer = z.infer<typeof StoredAnswerSchema>;

/** The first answer to a request, for its repeat. */
export type FirstAnswer = { status: number; payload: unknown };

export type IdempotencyClaim = {
  /** Stores the answer for repeats of this key. */
  settle(status: number, payload: unknown): Promise<void>;
  /** Forgets the key: nothing was done, so the same key may run the request again. */
  abandon(): Promise<void>;
};

/**
 * Claims the key for this request (identified by a hash of what it asks), or returns the
 * first answer to it. A conflict (another request's key, or this request still running)
 * throws a `conflict` AppError. Redis errors are thrown as they are (the caller answers 503).
 */
export async function claimIdempotencyKey(
  redis: Redis,
  login: string,
  key: string,
  request: unknown,
): Promise<{ claim: IdempotencyClaim } | { first: FirstAnswer }> {
  const name = keys.idempotency(login, key);
  const hash = createHash('sha256').update(JSON.stringify(request)).digest('hex');
  const claimed = await redis.set(
    name,
    JSON.stringify({ hash, state: 'running' } satisfies StoredAnswer),
    'EX',
    IDEMPOTENCY_TTL_S,
    'NX',
  );
  if (claimed !== 'OK') {
    const stored = StoredAnswerSchema.safeParse(JSON.parse((await redis.get(name)) ?? '{}'));
    if (!stored.success || stored.data.hash !== hash)
      throw new AppError(
        'conflict',
        'this Idempotency-Key was used for a different request: use a new key for a new action',
      );
    if (stored.data.state !== 'done') throw new AppError('conflict', 'the same request is still running');
    return { first: { status: stored.data.status ?? 200, payload: stored.data.payload } };
  }
  return {
    claim: {
      async settle(status, payload) {
        await redis
          .set(
            name,
            JSON.stringify({ hash, state: 'done', status, payload } satisfies StoredAnswer),
            'EX',
            IDEMPOTENCY_TTL_S,
          )
          .catch(() => {});
      },
      async abandon() {
        await redis.del(name).catch(() => {});
      },
    },
  };
}
