import 'server-only';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { AppError } from '../model/errors';
import { keys } from '../contracts/keys';
import { swapLock, releaseLock } from './redis-lock';

/**
 * One change at a time of a target (a service, or the deploy that changes every service):
 * a change is refused while another started through Pilothouse is running, within its grace
 * period, or while the upstream (ECS, GitHub) says one is still rolling out. The record
 * names who started it, so the refusal can too.
 */

/** How long "who is changing this target" is remembered, at most (the upstream says when it is done). */
export const CHANGE_RECORD_TTL_MS = 30 * 60_000;

export type Exclusive = {
  target: string;
  /** Other targets whose change also changes this one (a deploy changes every service). */
  alsoBlockedBy?: string[];
  /**
   * How long after it started this change counts as in flight whatever the upstream says yet
   * (a dispatched deploy run takes seconds to be listed by GitHub; ECS lists a redeploy as
   * soon as UpdateService returns, so it needs none).
   */
  graceMs?: number;
  /** Whether the upstream shows a change rolling out: what it is, or null. */
  busy: () => Promise<string | null>;
};

/** `running` until the change's upstream call returned: in flight then, whatever the upstream shows yet. */
const ChangeRecordSchema = z.object({
  action: z.string(),
  user: z.string(),
  at: z.string(),
  requestId: z.string(),
  running: z.boolean().optional(),
  graceMs: z.number().optional(),
});
type ChangeRecord = z.infer<typeof ChangeRecordSchema>;

/** Our turn at changing the target. */
export type Turn = {
  /** The upstream call returned: from now on the upstream says whether the change is still going. */
  started(): Promise<void>;
  /** Nothing was started after all: the next change may go at once. */
  release(): Promise<void>;
};

function parseRecord(raw: string | null): ChangeRecord | null {
  if (raw === null) return null;
  try {
    const parsed = ChangeRecordSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const inFlight = (r: ChangeRecord | null, now: number): r is ChangeRecord =>
  r !== null && (r.running === true || now - Date.parse(r.at) < (r.graceMs ?? 0));

function describeAge(iso: string): string {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return seconds < 120 ? `${seconds} s ago` : `${Math.round(seconds / 60)} min ago`;
}

const startedBy = (target: string, r: ChangeRecord) =>
  `${r.action}${target === r.action ? '' : ` of ${target}`} by ${r.user} (${describeAge(r.at)})`;

/**
 * Takes the turn at changing `exclusive.target`, or throws a `conflict` AppError saying what
 * is in flight and who started it. Other failures (Redis, the upstream's busy check) are
 * thrown as they are.
 */
export async function takeTurn(
  redis: Redis,
  environment: string,
  exclusive: Exclusive,
  who: { action: string; user: string; requestId: string },
): Promise<Turn> {
  const key = keys.inflight(environment, exclusive.target);
  const targets = [exclusive.target, ...(exclusive.alsoBlockedBy ?? [])];
  const read = await redis.mget(...targets.map((t) => keys.inflight(environment, t)));
  const held = read[0];
  const now = Date.now();
  const young = targets
    .map((target, i) => ({ target, record: parseRecord(read[i]) }))
    .find((r) => inFlight(r.record, now));
  if (young?.record) throw new AppError('conflict', `${startedBy(young.target, young.record)} has just started`);

  const upstream = await exclusive.busy();
  if (upstream) {
    // Read the records again: a change that started after our first read is the likely
    // cause, and has a name (ours, or a deploy's that changes this target too).
    const starter = (await redis.mget(...targets.map((t) => keys.inflight(environment, t))))
      .map((raw, i) => ({ target: targets[i], record: parseRecord(raw) }))
      .filter((r): r is { target: string; record: ChangeRecord } => r.record !== null)
      .sort((a, b) => Date.parse(b.record.at) - Date.parse(a.record.at))[0];
    throw new AppError(
      'conflict',
      starter
        ? `${startedBy(starter.target, starter.record)} is still in flight: ${upstream}`
        : `${upstream} (started outside Pilothouse)`,
    );
  }

  const mine = JSON.stringify({
    ...who,
    at: new Date().toISOString(),
    running: true,
    graceMs: exclusive.graceMs,
  } satisfies ChangeRecord);
  if (!(await swapLock(redis, key, held, mine, CHANGE_RECORD_TTL_MS))) {
    // Someone took it between our read and our write: name them (their record, if it is still there).
    const winner = parseRecord(await redis.get(key));
    throw new AppError(
      'conflict',
      winner
        ? `${startedBy(exclusive.target, winner)} has just started`
        : `another change of ${exclusive.target} started a moment ago`,
    );
  }
  return {
    async started() {
      const started = JSON.stringify({ ...(JSON.parse(mine) as ChangeRecord), running: false });
      await swapLock(redis, key, mine, started, CHANGE_RECORD_TTL_MS).catch(() => {});
    },
    async release() {
      await releaseLock(redis, key, mine).catch(() => {});
    },
  };
}
