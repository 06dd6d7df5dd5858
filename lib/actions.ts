import 'server-only';
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Role } from './access';
import { audit, auditQuietly, type AuditEntry } from './audit';
import { getSignedInUser, type SignedInUser } from './auth';
import { getConfig } from './config';
import { listEnvironments, type Environment } from './environments';
import { AppError, HTTP_STATUS, toErrorInfo, type ErrorCode } from './errors';
import { keys } from './keys';
import { getLiveHub } from './live-environments';
import { log } from './log';
import { getRedis } from './redis';
import { sharedCache } from './snapshot';

/**
 * Every operator action goes through here, in this order: same origin, signed in, a known
 * environment, the operator role in it, a body within the limit that its zod schema accepts,
 * an Idempotency-Key, the person's rate limit, the key's first answer (a repeat returns it and
 * does nothing again), one change at a time per target, then the action. Every attempt,
 * allowed or refused, is audited; the live view is asked to refresh at once.
 */
export const ACTION_BODY_LIMIT_BYTES = 16 * 1024;
/** A repeat within this time returns the first answer. */
export const IDEMPOTENCY_TTL_S = 600;
export const ACTIONS_PER_MINUTE = 30;
/** How long "who is changing this service" is remembered, at most (ECS says when it is done). */
export const INFLIGHT_TTL_MS = 30 * 60_000;
/**
 * A deploy started this recently is in flight whatever GitHub says yet: a dispatched run takes
 * seconds to be listed, and a second change must not slip in before it is. (ECS shows a
 * redeploy or rollback as soon as UpdateService returns.)
 */
export const DEPLOY_GRACE_MS = 60_000;
/** Refusals audited per person per minute: past this, refusals are only logged (the audit cannot be flooded). */
export const AUDITED_REFUSALS_PER_MINUTE = 60;
/**
 * Refusals before we know who sent them (no session, or a cross-origin request) audited per
 * hour, all such callers together: anyone on the internet can send them, so they share one
 * allowance, 1,440 a day at most, and cannot push operators' records out of the bounded stream.
 */
export const AUDITED_ANONYMOUS_REFUSALS_PER_HOUR = 60;

const IdempotencyKeySchema = z.string().regex(/^[A-Za-z0-9_-]{8,128}$/, 'the Idempotency-Key header must be 8 to 128 letters, digits, - or _');

export type ActionContext = { user: SignedInUser; environment: Environment; requestId: string };
/** What an action did: in words for the audit and the page, and its result (a deployment id, a run link). */
export type ActionOutcome = { detail: string; result: Record<string, unknown>; refresh?: string[] };

/**
 * One change at a time of a target: `busy` tells, from the upstream (ECS, GitHub), whether a
 * change is still rolling out; the record says who started it through Pilothouse.
 */
export type Exclusive = {
  target: string;
  /** Other targets whose change also changes this one (a deploy changes every service). */
  alsoBlockedBy?: string[];
  busy: () => Promise<string | null>;
};

export type ActionSpec<B> = {
  /** The action's name in the audit; `actionOf` names it from the body once the body is read. */
  action: string;
  actionOf?: (body: B) => string;
  environment: string;
  target: string;
  body: z.ZodType<B>;
  /** Whether the target (a service, a queue) exists in the environment: 404 otherwise, after the role check. */
  targetExists?: (environment: Environment) => boolean;
  /** Checks the body against the upstream's state (a known image, a listed revision) before waiting a turn: AppError to refuse. */
  check?: (body: B, environment: Environment) => Promise<void>;
  exclusive?: (body: B, environment: Environment) => Exclusive | null;
  run: (body: B, context: ActionContext) => Promise<ActionOutcome>;
};

/** `running` until the action's upstream call returned: busy then, whatever the upstream shows yet. */
type InflightRecord = { action: string; user: string; at: string; requestId: string; running?: boolean };
type StoredAnswer = { hash: string; state: 'running' | 'done'; status?: number; payload?: unknown };

// Replaces the in-flight record only if it is still the one read (or absent): of two requests
// that both found the target idle, exactly one takes it.
const DELETE_IF_MINE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;
const TAKE_IF_UNCHANGED = `
local current = redis.call('GET', KEYS[1])
if (current == false and ARGV[1] == '') or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0`;

class Refusal extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Same-origin check on top of SameSite cookies: a browser always sends one of these on a cross-site POST. */
function originProblem(request: Request): string | null {
  const expected = new URL(getConfig().NEXTAUTH_URL ?? request.url).origin;
  const origin = request.headers.get('origin');
  if (origin !== null) return origin === expected ? null : `cross-origin request from ${origin} refused`;
  const site = request.headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin' && site !== 'none') return `cross-site request (${site}) refused`;
  return null;
}

async function readBody<B>(request: Request, schema: z.ZodType<B>): Promise<B> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > ACTION_BODY_LIMIT_BYTES) throw new Refusal('too_large', `the body is larger than ${ACTION_BODY_LIMIT_BYTES} bytes`);
  const text = await request.text();
  if (Buffer.byteLength(text) > ACTION_BODY_LIMIT_BYTES) throw new Refusal('too_large', `the body is larger than ${ACTION_BODY_LIMIT_BYTES} bytes`);
  let json: unknown;
  try {
    json = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new Refusal('invalid_input', 'the body is not JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
    throw new Refusal('invalid_input', issues.join('; '));
  }
  return parsed.data;
}

function describeAge(iso: string): string {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return seconds < 120 ? `${seconds} s ago` : `${Math.round(seconds / 60)} min ago`;
}

/**
 * What to do with a refusal: audit it while the sender's allowance lasts (a person's per
 * minute, anonymous callers' together per hour), log once that it ran out, then drop it.
 */
async function refusalRecord(login: string | null): Promise<'audit' | 'log' | 'drop'> {
  const anonymous = login === null;
  const windowMs = anonymous ? 3_600_000 : 60_000;
  const allowance = anonymous ? AUDITED_ANONYMOUS_REFUSALS_PER_HOUR : AUDITED_REFUSALS_PER_MINUTE;
  try {
    const name = keys.refusalRate(login ?? '(anonymous)', Math.floor(Date.now() / windowMs));
    const [[, count]] = (await getRedis().multi().incr(name).pexpire(name, 2 * windowMs).exec()) as [[null, number], unknown];
    return count <= allowance ? 'audit' : count === allowance + 1 ? 'log' : 'drop';
  } catch {
    // Redis failing: a person's refusal waits in the audit's outbox; an anonymous one is only
    // logged, so a flood cannot crowd operators' records out of the outbox.
    return anonymous ? 'log' : 'audit';
  }
}

export async function handleAction<B>(request: Request, spec: ActionSpec<B>): Promise<Response> {
  const requestId = randomUUID();
  let user: SignedInUser | null = null;
  let role: Role | null = null;
  let params: Record<string, unknown> = {};
  let actionName = spec.action;
  const record = (result: AuditEntry['result'], status: number, detail: string): AuditEntry => ({
    user: user?.login ?? null, role, action: actionName, environment: spec.environment, target: spec.target,
    params, result, status, detail, requestId,
  });
  const refuse = async (code: ErrorCode, message: string) => {
    const status = HTTP_STATUS[code];
    const what = await refusalRecord(user?.login ?? null);
    if (what === 'audit') await auditQuietly(record('refused', status, message));
    else if (what === 'log') log.warn({ requestId, user: user?.login ?? null, action: actionName, status, message }, 'refusal not audited: the allowance of audited refusals ran out (the rest of this window is not logged either)');
    return Response.json({ error: { code, message }, requestId }, { status });
  };

  const crossOrigin = originProblem(request);
  if (crossOrigin) return refuse('forbidden', crossOrigin);
  user = await getSignedInUser();
  if (!user) return refuse('unauthorized', 'sign in first');
  const environment = listEnvironments().find((e) => e.name === spec.environment);
  if (!environment) return refuse('not_found', `no environment named ${JSON.stringify(spec.environment)}`);
  role = user.roles[environment.name] ?? null;
  if (role !== 'operator') {
    const why = user.rolesError ? `your roles could not be checked: ${user.rolesError.message}` : `you are not an operator of ${environment.name}`;
    return refuse('forbidden', why);
  }
  if (spec.targetExists && !spec.targetExists(environment)) return refuse('not_found', `${environment.name} has no ${spec.target}`);

  let body: B;
  try {
    body = await readBody(request, spec.body);
  } catch (err) {
    if (err instanceof Refusal) return refuse(err.code, err.message);
    throw err;
  }
  params = body as Record<string, unknown>;
  actionName = spec.actionOf?.(body) ?? spec.action;
  const key = IdempotencyKeySchema.safeParse(request.headers.get('idempotency-key'));
  if (!key.success) return refuse('invalid_input', key.error.issues[0].message);

  const redis = getRedis();
  const idempotencyKey = keys.idempotency(user.login, key.data);
  const hash = createHash('sha256').update(JSON.stringify([actionName, spec.environment, spec.target, body])).digest('hex');
  try {
    const minute = Math.floor(Date.now() / 60_000);
    const [[, count]] = (await redis.multi().incr(keys.actionRate(user.login, minute)).expire(keys.actionRate(user.login, minute), 120).exec()) as [[null, number], unknown];
    if (count > ACTIONS_PER_MINUTE) return refuse('rate_limited', `more than ${ACTIONS_PER_MINUTE} actions in a minute: wait a moment`);

    const claimed = await redis.set(idempotencyKey, JSON.stringify({ hash, state: 'running' } satisfies StoredAnswer), 'EX', IDEMPOTENCY_TTL_S, 'NX');
    if (claimed !== 'OK') {
      const first = JSON.parse((await redis.get(idempotencyKey)) ?? '{}') as StoredAnswer;
      if (first.hash !== hash) return refuse('conflict', 'this Idempotency-Key was used for a different request: use a new key for a new action');
      if (first.state !== 'done') return refuse('conflict', 'the same request is still running');
      const firstResult = (first.status ?? 200) < 400 ? 'ok' : (first.status ?? 500) < 500 ? 'refused' : 'failed';
      await auditQuietly(record(firstResult, first.status ?? 200, 'a repeat of an earlier request with the same Idempotency-Key: its first answer again, nothing done again'));
      return Response.json(first.payload, { status: first.status, headers: { 'idempotent-replayed': 'true' } });
    }
  } catch (err) {
    log.error({ err: (err as Error).message, requestId }, 'action refused: Redis unavailable');
    return refuse('unavailable', "the control plane's Redis is unavailable: actions wait until it is back (nothing was done)");
  }

  const answer = async (status: number, payload: unknown, result: AuditEntry['result'], detail: string) => {
    await redis.set(idempotencyKey, JSON.stringify({ hash, state: 'done', status, payload } satisfies StoredAnswer), 'EX', IDEMPOTENCY_TTL_S).catch(() => {});
    await auditQuietly(record(result, status, detail)); // held and written later if Redis is down now
    return Response.json(payload, { status });
  };

  /** A check or the action threw: our own AppError is a refusal (a 4xx), an upstream's error a failure. */
  const answerError = async (err: unknown) => {
    const info = toErrorInfo(err);
    if (info.code === 'rate_limited' && info.upstream) {
      // AWS throttled the call past the SDK's retries: nothing was done, and the same request
      // (same key) may simply be sent again, so this answer is not kept for the key.
      const message = `${info.message}: nothing was done; try again in a moment`;
      await redis.del(idempotencyKey).catch(() => {});
      await auditQuietly(record('failed', 503, message));
      return Response.json({ error: { code: 'unavailable', message }, requestId }, { status: 503, headers: { 'retry-after': '5' } });
    }
    const refused = err instanceof AppError && !('upstream' in err);
    return answer(HTTP_STATUS[info.code], { error: { code: info.code, message: info.message }, requestId }, refused ? 'refused' : 'failed', info.message);
  };

  if (spec.check) {
    try {
      await spec.check(body, environment);
    } catch (err) {
      return answerError(err);
    }
  }

  const exclusive = spec.exclusive?.(body, environment) ?? null;
  const inflightKey = exclusive ? keys.inflight(environment.name, exclusive.target) : null;
  let mine: string | null = null;
  if (exclusive && inflightKey) {
    try {
      const held = await redis.get(inflightKey);
      const holder = held ? (JSON.parse(held) as InflightRecord) : null;
      const young = (r: InflightRecord | null): r is InflightRecord =>
        r !== null && (r.running === true || (r.action === 'deploy' && Date.now() - Date.parse(r.at) < DEPLOY_GRACE_MS));
      const others = await Promise.all((exclusive.alsoBlockedBy ?? []).map(async (target) => {
        const raw = await redis.get(keys.inflight(environment.name, target));
        return raw ? { target, record: JSON.parse(raw) as InflightRecord } : null;
      }));
      const started = (target: string, r: InflightRecord) => `${r.action}${target === r.action ? '' : ` of ${target}`} by ${r.user} (${describeAge(r.at)})`;
      let busy: string | null = null;
      if (young(holder)) busy = `${started(exclusive.target, holder)} has just started`;
      for (const other of others) if (!busy && other && young(other.record)) busy = `${started(other.target, other.record)} has just started`;
      if (!busy) {
        const upstream = await exclusive.busy();
        if (upstream) {
          // Read the records again: a change that started after our first read is the likely
          // cause, and has a name (ours, or a deploy's that changes this target too).
          const targets = [exclusive.target, ...(exclusive.alsoBlockedBy ?? [])];
          const records = (await redis.mget(...targets.map((t) => keys.inflight(environment.name, t))))
            .map((raw, i) => (raw ? { target: targets[i], record: JSON.parse(raw) as InflightRecord } : null))
            .filter((r) => r !== null)
            .sort((a, b) => Date.parse(b.record.at) - Date.parse(a.record.at));
          const starter = records[0];
          busy = starter ? `${started(starter.target, starter.record)} is still in flight: ${upstream}` : `${upstream} (started outside Pilothouse)`;
        }
      }
      if (busy) return answer(409, { error: { code: 'conflict', message: busy }, requestId }, 'refused', busy);
      mine = JSON.stringify({ action: actionName, user: user.login, at: new Date().toISOString(), requestId, running: true } satisfies InflightRecord);
      const taken = await redis.eval(TAKE_IF_UNCHANGED, 1, inflightKey, held ?? '', mine, INFLIGHT_TTL_MS);
      if (taken !== 1) {
        // Someone took it between our read and our write: name them (their record, if it is still there).
        const raw = await redis.get(inflightKey);
        const winner = raw ? (JSON.parse(raw) as InflightRecord) : null;
        const why = winner ? `${started(exclusive.target, winner)} has just started` : `another change of ${exclusive.target} started a moment ago`;
        return answer(409, { error: { code: 'conflict', message: why }, requestId }, 'refused', why);
      }
    } catch (err) {
      const info = toErrorInfo(err);
      return answer(HTTP_STATUS[info.code], { error: { code: info.code, message: `could not tell whether ${exclusive.target} is already changing: ${info.message}` }, requestId }, 'failed', info.message);
    }
  }
  const release = async () => {
    if (inflightKey && mine) await redis.eval(DELETE_IF_MINE, 1, inflightKey, mine).catch(() => {});
  };
  /** The upstream call returned: from now on the upstream says whether the change is still going. */
  const markStarted = async () => {
    if (!inflightKey || !mine) return;
    const started = JSON.stringify({ ...(JSON.parse(mine) as InflightRecord), running: false });
    await redis.eval(TAKE_IF_UNCHANGED, 1, inflightKey, mine, started, INFLIGHT_TTL_MS).catch(() => {});
  };

  // No action runs unaudited: its start is recorded first, or it does not start.
  try {
    await audit(record('started', 202, 'started'));
  } catch (err) {
    log.error({ err: (err as Error).message, requestId }, 'action not started: the audit did not take its record');
    await release();
    await redis.del(idempotencyKey).catch(() => {});
    return Response.json({ error: { code: 'unavailable', message: 'the audit is unavailable: nothing was done' }, requestId }, { status: 503 });
  }

  let outcome: ActionOutcome;
  try {
    outcome = await spec.run(body, { user, environment, requestId });
  } catch (err) {
    await release(); // nothing started
    return answerError(err);
  }
  await markStarted();
  // The live view follows at once: what the action changed is read again, not served from the cache.
  await Promise.all((outcome.refresh ?? []).map((name) => sharedCache().forget(name).catch(() => {})));
  await getLiveHub().refreshNow(environment.name).catch(() => {});
  return answer(200, { ok: true, detail: outcome.detail, ...outcome.result, requestId }, 'ok', outcome.detail);
}
