import 'server-only';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { keys } from '../contracts/keys';
import type { ServiceRole } from '../contracts/platform';
import type { TailBatch } from '../model/schemas/tail';
import { filterLogEvents } from './aws/logs';
import { getEnvironmentOrThrow, logGroups, serviceRoleOrThrow, type Environment } from './environments';
import { createLiveHub, type LiveHub } from './live';
import { log } from './log';
import { FAIL_FAST_REDIS_OPTIONS, getRedis } from './redis';

/**
 * A service's live tail, shared by everyone watching it: the same lease-and-publish design as
 * the live snapshots (lib/live.ts). For each log group someone tails, exactly one instance of
 * the control plane reads it, once a tick, with a bounded FilterLogEvents from where the last
 * read ended (kept in Redis, so whichever instance reads next goes on from there), and
 * publishes the new lines through Redis pub/sub; every instance fans them out to its viewers
 * over SSE. N viewers on any number of instances cost the AWS calls of one.
 *
 * FilterLogEvents rather than StartLiveTail: Live Tail streams over HTTP/2 event streams, which
 * the local emulator does not serve, and its sessions are limited per account; this reader is
 * one call a second per tailed group, whoever watches.
 */
export const TAIL_TICK_MS = 1_000;
/** Lines that arrive late (CloudWatch Logs takes them with their own timestamps) are looked for this far back. */
const LOOKBACK_MS = 3_000;
/** One read takes at most this many lines; a busier group is caught up over the next ticks. */
export const TAIL_READ_LINES = 500;
/** A tail opened without a cursor starts this far back. */
const START_BACK_MS = 5_000;

const Cursor = z.object({ at: z.number(), seen: z.array(z.string()) });

/** `env:role`: the hub's name for a tail (its lease, channel and latest message are keyed by it). */
export function tailName(env: string, role: ServiceRole): string {
  return `tail:${env}:${role}`;
}

export function parseTailName(name: string): { env: Environment; role: ServiceRole } {
  const [, env, role] = name.split(':');
  return { env: getEnvironmentOrThrow(env), role: serviceRoleOrThrow(role) };
}

/** One tick of a tail: the lines since the cursor (late ones included, none twice), and the cursor moved on. */
export async function readTail(
  redis: Redis,
  env: Environment,
  role: ServiceRole,
  now = Date.now(),
): Promise<TailBatch> {
  const group = logGroups(env).services[role];
  const key = keys.tailCursor(group);
  const stored = Cursor.safeParse(JSON.parse((await redis.get(key)) ?? 'null'));
  const cursor = stored.success ? stored.data : { at: now - START_BACK_MS, seen: [] };
  const start = Math.max(cursor.at - LOOKBACK_MS, now - 60_000);
  const page = await filterLogEvents(env, { group, start, end: now, limit: TAIL_READ_LINES });
  const seen = new Set(cursor.seen);
  const lines = page.lines.filter((line) => !seen.has(line.id));
  const newest = page.lines.at(-1)?.timestamp ?? cursor.at;
  // Behind: go on from the newest line read rather than from now, so nothing is skipped.
  const at = page.nextToken ? newest : Math.max(newest, cursor.at);
  const keep = [...cursor.seen, ...lines.map((l) => l.id)].slice(-2_000);
  await redis.set(key, JSON.stringify({ at, seen: keep }), 'PX', 10 * 60_000);
  return { lines, behind: page.nextToken !== null };
}

let hub: LiveHub<TailBatch> | undefined;

/** This process's tail hub: one subscriber connection, however many tails and viewers. */
export function getTailHub(): LiveHub<TailBatch> {
  if (!hub) {
    const redis = getRedis();
    const subscriber = redis.duplicate({ ...FAIL_FAST_REDIS_OPTIONS, commandTimeout: undefined });
    subscriber.on('error', () => {});
    hub = createTailHub(redis, subscriber);
  }
  return hub;
}

export function createTailHub(redis: Redis, subscriber: Redis, tickMs = TAIL_TICK_MS): LiveHub<TailBatch> {
  return createLiveHub<TailBatch>({
    redis,
    subscriber,
    tickMs,
    load: async (name) => {
      const { env, role } = parseTailName(name);
      return readTail(redis, env, role);
    },
    onError: (err, name) => log.warn({ err, tail: name }, 'live tail: read failed'),
  });
}
