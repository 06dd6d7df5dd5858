import 'server-only';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Role } from './access';
import { audit, auditQuietly, auditRefusal, type AuditEntry } from './audit';
import { authorize, type SignedInUser } from './auth';
import { takeTurn, type Exclusive, type Turn } from './change-lock';
import { getConfig } from './config';
import type { Environment } from './environments';
import { AppError, invalidInput, toErrorInfo, UpstreamError } from '../model/errors';
import { errorResponse } from './http';
import { claimIdempotencyKey, IdempotencyKeySchema, type IdempotencyClaim } from './idempotency';
import { keys } from '../contracts/keys';
import { getLiveHub } from './live-environments';
import { log } from './log';
import { getRedis } from './redis';
import { sharedCache } from './snapshot';
export type { Exclusive } from './change-lock';

/**
 * Every operator action goes through here, in this order: same origin, the one authorization
 * decision (signed in, a known environment, the operator role in it: lib/auth.ts), the target,
 * a body within the limit that its zod schema accepts, an Idempotency-Key, the person's rate
 * limit, the key's first answer (lib/idempotency.ts: a repeat returns it and does nothing
 * again), the action's own checks, one change at a time per target (lib/change-lock.ts), the
 * audit's `started` record, then the action. Every attempt, allowed or refused, is audited; the
 * live view is asked to refresh at once. Errors are answered by lib/http.ts `errorResponse`.
 */
export const ACTION_BODY_LIMIT_BYTES = 16 * 1024;
export const ACTIONS_PER_MINUTE = 30;

export type ActionContext<C> = { user: SignedInUser; environment: Environment; requestId: string; checked: C };
/** What an action did: in words for the audit and the page, and its result (a deployment id, a run link). */
export type ActionOutcome = { detail: string; result: Record<string, unknown>; refresh?: string[] };

export type ActionSpec<B, C = void> = {
  /** The action's name in the audit; `actionOf` names it from the body once the body is read. */
  action: string;
  actionOf?: (body: B) => string;
  environment: string;
  target: string;
  body: z.ZodType<B>;
  /** Whether the target (a service, a queue) exists in the environment: 404 otherwise, after the role check. */
  targetExists?: (environment: Environment) => boolean;
  /**
   * Checks the body against the upstream's state (a known image, a listed revision, the scaling
   * bounds) before waiting a turn or auditing a start: AppError to refuse. What it found is
   * handed to `run`, so nothing is looked up twice.
   */
  check?: (body: B, environment: Environment) => Promise<C>;
  exclusive?: (body: B, environment: Environment) => Exclusive | null;
  run: (body: B, context: ActionContext<C>) => Promise<ActionOutcome>;
};

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
  const tooLarge = () => new AppError('too_large', `the body is larger than ${ACTION_BODY_LIMIT_BYTES} bytes`);
  if (Number(request.headers.get('content-length') ?? '0') > ACTION_BODY_LIMIT_BYTES) throw tooLarge();
  const text = await request.text();
  if (Buffer.byteLength(text) > ACTION_BODY_LIMIT_BYTES) throw tooLarge();
  let json: unknown;
  try {
    json = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new AppError('invalid_input', 'the body is not JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw invalidInput(parsed.error);
  return parsed.data;
}

/** The person's actions this minute, counted: past the limit, a `rate_limited` AppError. */
async function countAction(login: string): Promise<void> {
  const name = keys.actionRate(login, Math.floor(Date.now() / 60_000));
  const [[, count]] = (await getRedis().multi().incr(name).expire(name, 120).exec()) as [[null, number], unknown];
  if (count > ACTIONS_PER_MINUTE)
    throw new AppError('rate_limited', `more than ${ACTIONS_PER_MINUTE} actions in a minute: wait a moment`);
}

export async function handleAction<B, C = void>(request: Request, spec: ActionSpec<B, C>): Promise<Response> {
  const requestId = randomUUID();
  let user: SignedInUser | null = null;
  let role: Role | null = null;
  let params: Record<string, unknown> = {};
  let actionName = spec.action;
  const record = (result: AuditEntry['result'], status: number, detail: string): AuditEntry => ({
    user: user?.login ?? null,
    role,
    action: actionName,
    environment: spec.environment,
    target: spec.target,
    params,
    result,
    status,
    detail,
    requestId,
  });
  /** Refused before anything was claimed: audited within the sender's allowance, never kept for the key. */
  const refuse = async (err: AppError) => {
    const response = errorResponse(err, requestId);
    await auditRefusal(record('refused', response.status, err.message));
    return response;
  };

  const crossOrigin = originProblem(request);
  if (crossOrigin) return refuse(new AppError('forbidden', crossOrigin));
  const access = await authorize(spec.environment, 'operator');
  user = access.user;
  role = user?.roles[spec.environment] ?? null;
  if ('error' in access) return refuse(access.error);
  const { environment } = access;
  const operator = access.user;
  if (spec.targetExists && !spec.targetExists(environment))
    return refuse(new AppError('not_found', `${environment.name} has no ${spec.target}`));

  let body: B;
  try {
    body = await readBody(request, spec.body);
  } catch (err) {
    if (err instanceof AppError) return refuse(err);
    throw err;
  }
  params = body as Record<string, unknown>;
  actionName = spec.actionOf?.(body) ?? spec.action;
  const key = IdempotencyKeySchema.safeParse(request.headers.get('idempotency-key'));
  if (!key.success) return refuse(new AppError('invalid_input', key.error.issues[0].message));

  const redis = getRedis();
  let claim: IdempotencyClaim;
  try {
    await countAction(operator.login);
    const claimed = await claimIdempotencyKey(redis, operator.login, key.data, [
      actionName,
      spec.environment,
      spec.target,
      body,
    ]);
    if ('first' in claimed) {
      const { status, payload } = claimed.first;
      await auditQuietly(
        record(
          status < 400 ? 'ok' : status < 500 ? 'refused' : 'failed',
          status,
          'a repeat of an earlier request with the same Idempotency-Key: its first answer again, nothing done again',
        ),
      );
      return Response.json(payload, { status, headers: { 'idempotent-replayed': 'true' } });
    }
    claim = claimed.claim;
  } catch (err) {
    if (err instanceof AppError) return refuse(err);
    log.error({ err: (err as Error).message, requestId }, 'action refused: Redis unavailable');
    return refuse(
      new AppError(
        'unavailable',
        "the control plane's Redis is unavailable: actions wait until it is back (nothing was done)",
      ),
    );
  }

  /**
   * The answer, kept for repeats of the key and audited. Our own AppError is a refusal (a 4xx),
   * an upstream's error or a bug a failure. An upstream that throttled us past the SDK's
   * retries did nothing: that answer is not kept, so the same key may simply be sent again.
   */
  const answer = async (
    outcome: { err: unknown; result?: AuditEntry['result'] } | { payload: Record<string, unknown>; detail: string },
  ) => {
    if ('payload' in outcome) {
      await claim.settle(200, outcome.payload);
      await auditQuietly(record('ok', 200, outcome.detail));
      return Response.json(outcome.payload, { status: 200 });
    }
    const { err } = outcome;
    const response = errorResponse(err, requestId);
    const throttled = err instanceof UpstreamError && err.code === 'rate_limited';
    const payload: unknown = await response.clone().json();
    if (throttled) await claim.abandon();
    else await claim.settle(response.status, payload);
    const refused = err instanceof AppError && !(err instanceof UpstreamError);
    await auditQuietly(
      record(
        throttled ? 'failed' : (outcome.result ?? (refused ? 'refused' : 'failed')),
        response.status,
        toErrorInfo(err).message,
      ),
    ); // held and written later if Redis is down now
    return response;
  };

  let checked: C;
  try {
    checked = spec.check ? await spec.check(body, environment) : (undefined as C);
  } catch (err) {
    return answer({ err });
  }

  const exclusive = spec.exclusive?.(body, environment) ?? null;
  let turn: Turn | null = null;
  if (exclusive) {
    try {
      turn = await takeTurn(redis, environment.name, exclusive, {
        action: actionName,
        user: operator.login,
        requestId,
      });
    } catch (err) {
      if (err instanceof AppError && err.code === 'conflict') return answer({ err });
      const info = toErrorInfo(err);
      const why = new AppError(
        info.code,
        `could not tell whether ${exclusive.target} is already changing: ${info.message}`,
        { cause: err },
      );
      return answer({ err: why, result: 'failed' });
    }
  }

  // No action runs unaudited: its start is recorded first, or it does not start.
  try {
    await audit(record('started', 202, 'started'));
  } catch (err) {
    log.error({ err: (err as Error).message, requestId }, 'action not started: the audit did not take its record');
    await turn?.release();
    await claim.abandon();
    return errorResponse(new AppError('unavailable', 'the audit is unavailable: nothing was done'), requestId);
  }

  let outcome: ActionOutcome;
  try {
    outcome = await spec.run(body, { user: operator, environment, requestId, checked });
  } catch (err) {
    await turn?.release(); // nothing started
    return answer({ err });
  }
  await turn?.started();
  // The live view follows at once: what the action changed is read again, not served from the cache.
  await Promise.all(
    (outcome.refresh ?? []).map((name) =>
      sharedCache()
        .forget(name)
        .catch(() => {}),
    ),
  );
  await getLiveHub()
    .refreshNow(environment.name)
    .catch(() => {});
  return answer({
    payload: { ok: true, detail: outcome.detail, ...outcome.result, requestId },
    detail: outcome.detail,
  });
}
