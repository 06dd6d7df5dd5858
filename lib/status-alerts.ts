import 'server-only';
import type { Redis } from 'ioredis';
import { getConfig } from './config';
import type { Environment } from './environments';
import { UpstreamError } from '../model/errors';
import { keys } from '../contracts/keys';
import { log } from './log';
import type { StatusVerdict } from '../model/schemas/snapshot';

/**
 * Status changes, recorded and announced: every judged change goes to a capped history
 * stream (the timeline reads it), and a webhook (Slack's incoming-webhook payload) hears
 * about a new status once that status itself has held for the environment's settle window, so
 * a status that lasts less than the window (a flap, back or to a third status) is never announced. One Lua script decides, so among all the
 * instances and the cron that judge the same environment exactly one sends each change.
 */
export const STATUS_HISTORY_MAX = 2_000;

// KEYS: state hash, history stream. ARGV: status, now (ms), settle (ms), reasons JSON.
// Returns the status to announce the change from ('' for none).
const JUDGE = `
local current = redis.call('HGET', KEYS[1], 'current')
local notified = redis.call('HGET', KEYS[1], 'notified') or 'healthy'
local since = redis.call('HGET', KEYS[1], 'differentSince')
local status, now, settle = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
if current ~= status then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ${STATUS_HISTORY_MAX}, '*', 'at', ARGV[2], 'from', current or '', 'to', status, 'reasons', ARGV[4])
  redis.call('HSET', KEYS[1], 'current', status)
  -- A new status starts its own settle window: only one that has held it is announced.
  redis.call('HDEL', KEYS[1], 'differentSince')
  since = false
end
if status == notified then
  redis.call('HDEL', KEYS[1], 'differentSince')
  return ''
end
if not since then
  since = ARGV[2]
  redis.call('HSET', KEYS[1], 'differentSince', since)
end
if now - tonumber(since) >= settle then
  redis.call('HSET', KEYS[1], 'notified', status)
  redis.call('HDEL', KEYS[1], 'differentSince')
  return notified
end
return ''`;

// Puts back the announced status after a failed send, unless someone announced since.
const UNDO = `
if redis.call('HGET', KEYS[1], 'notified') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'notified', ARGV[2], 'differentSince', ARGV[3])
return 1`;

export type StatusChange = {
  environment: string;
  from: string;
  to: StatusVerdict['status'];
  reasons: string[];
  at: number;
};
export type StatusHistoryEntry = { at: number; from: string | null; to: StatusVerdict['status']; reasons: string[] };

/** Judges one verdict; announces it when it is a settled change. Never throws: alerts must not break a page. */
export async function trackStatus(
  env: Pick<Environment, 'name' | 'production' | 'alerts'>,
  verdict: StatusVerdict,
  options: {
    redis: Redis;
    now?: number;
    webhookUrl?: string | undefined;
    send?: (url: string, change: StatusChange) => Promise<void>;
  },
): Promise<StatusChange | null> {
  const now = options.now ?? Date.now();
  try {
    const from = (await options.redis.eval(
      JUDGE,
      2,
      keys.statusState(env.name),
      keys.statusHistory(env.name),
      verdict.status,
      now,
      env.alerts.settleSeconds * 1000,
      JSON.stringify(verdict.reasons.slice(0, 5)),
    )) as string;
    if (!from) return null;
    const change: StatusChange = { environment: env.name, from, to: verdict.status, reasons: verdict.reasons, at: now };
    const url = options.webhookUrl === undefined ? getConfig().STATUS_WEBHOOK_URL : options.webhookUrl;
    if (url) {
      try {
        await (options.send ?? postWebhook)(url, change);
      } catch (err) {
        // Not announced: undo, so the next judgement (seconds away) tries again rather than losing it.
        await options.redis.eval(
          UNDO,
          1,
          keys.statusState(env.name),
          verdict.status,
          from,
          now - env.alerts.settleSeconds * 1000,
        );
        throw err;
      }
    }
    log.info({ environment: env.name, from, to: verdict.status }, 'status changed');
    return change;
  } catch (err) {
    log.warn({ err: (err as Error).message, environment: env.name }, 'status change not recorded or not sent');
    return null;
  }
}

/** The newest changes first. */
export async function readStatusHistory(
  redis: Redis,
  env: string,
  sinceMs: number,
  limit = 500,
): Promise<StatusHistoryEntry[]> {
  const entries = await redis.xrevrange(keys.statusHistory(env), '+', String(sinceMs), 'COUNT', limit);
  return entries.map(([, fields]) => {
    const f = Object.fromEntries(
      fields.reduce<[string, string][]>((pairs, v, i, all) => (i % 2 === 0 ? [...pairs, [v, all[i + 1]]] : pairs), []),
    );
    return {
      at: Number(f.at),
      from: f.from || null,
      to: f.to as StatusHistoryEntry['to'],
      reasons: JSON.parse(f.reasons ?? '[]') as string[],
    };
  });
}

const EMOJI: Record<StatusVerdict['status'], string> = {
  healthy: ':large_green_circle:',
  degraded: ':large_yellow_circle:',
  down: ':red_circle:',
};

/** Slack's incoming-webhook payload: `text` for notifications, `blocks` for the message. */
export function slackPayload(change: StatusChange): { text: string; blocks: unknown[] } {
  const text = `${change.environment} is ${change.to} (was ${change.from})`;
  const why = change.reasons.length
    ? change.reasons
        .slice(0, 5)
        .map((r) => `• ${r}`)
        .join('\n')
    : 'all checks pass';
  return {
    text,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `${EMOJI[change.to]} *${text}*\n${why}` } }],
  };
}

const WEBHOOK_TIMEOUT_MS = 5_000;

async function postWebhook(url: string, change: StatusChange): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(slackPayload(change)),
    signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
  });
  // The URL is a secret: it never goes into the log, only the answer's status does.
  if (!response.ok) throw new UpstreamError('status webhook', `the status webhook answered ${response.status}`);
}
