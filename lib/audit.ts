import 'server-only';
import { randomUUID } from 'node:crypto';
import { getRedis } from './redis';
import { keys } from '../contracts/keys';
import { log } from './log';
import { AuditRecordSchema, type AuditRecord } from '../model/schemas/audit';

/**
 * The audit trail: every sign-in and every action attempt, allowed or refused, appended to a
 * Redis stream (XADD, capped near AUDIT_MAX_RECORDS). Nobody can edit it through the control
 * plane: there is no route that writes it except by acting.
 */
export const AUDIT_MAX_RECORDS = 50_000;

export type AuditEntry = Omit<AuditRecord, 'id' | 'at'>;

type TimedEntry = AuditEntry & { at: string };

/**
 * A write that may be tried more than once lands once: a command that timed out against a
 * paused or restarting Redis can still run when it answers again (ioredis resends what it
 * queued while reconnecting), so each record carries a marker only its first write sets.
 */
const APPEND_ONCE = `
if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[3]) then
  return redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'record', ARGV[2])
end
return false`;
const WRITTEN_MARKER_TTL_S = 24 * 3600;

type HeldEntry = TimedEntry & { recordId: string };

async function appendOnce({ recordId, ...record }: HeldEntry): Promise<void> {
  const id = await getRedis().eval(
    APPEND_ONCE,
    2,
    keys.audit,
    keys.auditWritten(recordId),
    String(AUDIT_MAX_RECORDS),
    JSON.stringify(record),
    String(WRITTEN_MARKER_TTL_S),
  );
  if (id) log.info({ audit: { ...record, id } }, `audit ${record.action} ${record.result}`);
}

/**
 * Records Redis did not take (down, restarting), held in this instance's memory, oldest first,
 * and written as soon as Redis answers again: a refusal during an outage is audited once the
 * store is back, with the time it happened. Bounded: past AUDIT_HELD_MAX the oldest is lost,
 * and said so in the log. On a serverless platform an instance may be frozen or ended first:
 * the log line written at the time is then the only trace.
 */
export const AUDIT_HELD_MAX = 1_000;
const AUDIT_RETRY_MS = 2_000;
const held: HeldEntry[] = [];
let retryTimer: NodeJS.Timeout | null = null;
let flushing: Promise<void> | null = null;

function hold(record: HeldEntry, err: unknown) {
  held.push(record);
  log.error(
    { err: (err as Error).message, audit: record },
    'audit record held: Redis did not take it; it is written when Redis is back',
  );
  if (held.length > AUDIT_HELD_MAX)
    log.error(
      { audit: held.shift() },
      `audit record lost: more than ${AUDIT_HELD_MAX} held while Redis was unavailable`,
    );
  retryTimer ??= setInterval(() => void flushHeld(), AUDIT_RETRY_MS).unref();
}

/**
 * Writes the held records in order, once Redis is connected; stops at the first it refuses (the
 * timer tries again). Not while ioredis reconnects: it would queue the writes to send later.
 * (A paused Redis keeps the connection "ready": a timed-out write may still land when it
 * resumes, and the marker keeps that to once.)
 */
export function flushHeld(): Promise<void> {
  try {
    if (getRedis().status !== 'ready') return Promise.resolve();
  } catch {
    return Promise.resolve(); // no Redis configured: nothing can be written
  }
  flushing ??= (async () => {
    try {
      while (held.length > 0) {
        const next = held[0];
        await appendOnce(next);
        if (held[0] === next) held.shift(); // unless hold() dropped it (full) meanwhile
      }
      if (retryTimer) clearInterval(retryTimer);
      retryTimer = null;
    } catch {
      /* still unavailable */
    } finally {
      flushing = null;
    }
  })();
  return flushing;
}

/**
 * Appends one record. Throws when Redis does not take it: an action must not run unaudited.
 * Written once even if the command, timed out, still reaches Redis later.
 */
export async function audit(entry: AuditEntry): Promise<void> {
  await appendOnce({ ...entry, at: new Date().toISOString(), recordId: randomUUID() });
  if (held.length > 0) void flushHeld();
}

/**
 * For refusals and outcomes: never turns an answer into a 500. What Redis does not take now
 * is held and written when it is back (with `at` the time it happened).
 */
export async function auditQuietly(entry: AuditEntry): Promise<void> {
  const record = { ...entry, at: new Date().toISOString(), recordId: randomUUID() };
  try {
    await appendOnce(record);
    if (held.length > 0) void flushHeld();
  } catch (err) {
    hold(record, err);
  }
}

/** Refusals audited per person per minute: past this, refusals are only logged (the audit cannot be flooded). */
export const AUDITED_REFUSALS_PER_MINUTE = 60;
/**
 * Refusals before we know who sent them (no session, or a cross-origin request) audited per
 * hour, all such callers together: anyone on the internet can send them, so they share one
 * allowance, 1,440 a day at most, and cannot push operators' records out of the bounded stream.
 */
export const AUDITED_ANONYMOUS_REFUSALS_PER_HOUR = 60;

/**
 * Audits a refusal while its sender's allowance lasts (a person's per minute, anonymous
 * callers' together per hour), logs once that it ran out, then drops the rest of the window.
 */
export async function auditRefusal(entry: AuditEntry): Promise<void> {
  const anonymous = entry.user === null;
  const windowMs = anonymous ? 3_600_000 : 60_000;
  const allowance = anonymous ? AUDITED_ANONYMOUS_REFUSALS_PER_HOUR : AUDITED_REFUSALS_PER_MINUTE;
  let what: 'audit' | 'log' | 'drop';
  try {
    const name = keys.refusalRate(entry.user ?? '(anonymous)', Math.floor(Date.now() / windowMs));
    const [[, count]] = (await getRedis()
      .multi()
      .incr(name)
      .pexpire(name, 2 * windowMs)
      .exec()) as [[null, number], unknown];
    what = count <= allowance ? 'audit' : count === allowance + 1 ? 'log' : 'drop';
  } catch {
    // Redis failing: a person's refusal waits in the outbox; an anonymous one is only logged,
    // so a flood cannot crowd operators' records out of the outbox.
    what = anonymous ? 'log' : 'audit';
  }
  if (what === 'audit') await auditQuietly(entry);
  else if (what === 'log')
    log.warn(
      {
        requestId: entry.requestId,
        user: entry.user,
        action: entry.action,
        status: entry.status,
        message: entry.detail,
      },
      'refusal not audited: the allowance of audited refusals ran out (the rest of this window is not logged either)',
    );
}

export type AuditFilter = { environment?: string; user?: string; action?: string; result?: AuditRecord['result'] };

/** Newest first, filtered (and limited to what `visible` lets the reader see, before the limit); reads at most `scan` records back. */
export async function readAudit(
  filter: AuditFilter = {},
  limit = 100,
  scan = 2_000,
  visible: (record: AuditRecord) => boolean = () => true,
): Promise<AuditRecord[]> {
  const entries = await getRedis().xrevrange(keys.audit, '+', '-', 'COUNT', scan);
  const records: AuditRecord[] = [];
  for (const [id, fields] of entries) {
    const raw = fields[fields.indexOf('record') + 1];
    const parsed = AuditRecordSchema.safeParse({ id, ...JSON.parse(raw ?? '{}') });
    if (!parsed.success) continue;
    const r = parsed.data;
    if (filter.environment && r.environment !== filter.environment) continue;
    if (filter.user && r.user?.toLowerCase() !== filter.user.toLowerCase()) continue;
    if (filter.action && r.action !== filter.action) continue;
    if (filter.result && r.result !== filter.result) continue;
    if (!visible(r)) continue;
    records.push(r);
    if (records.length >= limit) break;
  }
  return records;
}

/** How far back an environment's operator actions are suspects when it breaks (model/diagnosis.ts). */
export const RECENT_ACTIONS_MS = 2 * 3_600_000;

/** The environment's operator actions that did something, in the last two hours, newest first (at most 20). */
export async function recentActions(env: { name: string }, now = Date.now()): Promise<AuditRecord[]> {
  const records = await readAudit({ environment: env.name, result: 'ok' }, 20, 2_000);
  return records.filter((r) => now - Date.parse(r.at) <= RECENT_ACTIONS_MS);
}
