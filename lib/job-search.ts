import 'server-only';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Environment } from './environments';
import { UpstreamError } from '../model/errors';
import { bullKey, legacyServiceKeys, serviceKeys } from '../contracts/keys';
import { queueRedis } from './queue';
import { describeRedisFailure } from './redis';

/**
 * Finds jobs by id, or by the host or URL they render, across an environment's queues and
 * states, in four Redis round trips at most, however many jobs there are:
 * - an id: one pipelined look at `bull:{queue}:{id}` in every queue;
 * - a host: the api's index of jobs by host (contracts/platform.ts), newest first, at most
 *   HOST_CANDIDATES read;
 * - a URL: its host's candidates, kept where the job's URL starts with it.
 * The job hashes of the candidates come in one more pipeline, and the shown matches' states
 * (BullMQ's sets) in one more. No SCAN, no KEYS.
 */
export const SEARCH_RESULTS = 50;
export const HOST_CANDIDATES = 500;

export const SearchQuery = z
  .string()
  .trim()
  .min(1, 'type a job id, a host or a URL')
  .max(2_048, 'at most 2,048 characters')
  .refine((q) => !/[\u0000-\u001f]/.test(q), 'no control characters');

export type JobMatch = {
  queue: string;
  id: string;
  name: string;
  /** From the job's hash: waiting, delayed, active, completed or failed (the job page reads the exact state). */
  state: string;
  url: string | null;
  createdAt: string | null;
  finishedAt: string | null;
  attemptsMade: number;
  failedReason: string | null;
  /** How it matched: the id, the host, or the URL. */
  matchedBy: 'id' | 'host' | 'url';
};

type Plan = { id: string | null; host: string | null; urlPrefix: string | null };

export function planSearch(query: string): Plan {
  const q = query.trim();
  if (/^https?:\/\//i.test(q)) {
    try {
      const url = new URL(q);
      return { id: null, host: url.hostname.toLowerCase(), urlPrefix: q };
    } catch {
      return { id: null, host: null, urlPrefix: null };
    }
  }
  const looksLikeHost = /^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z0-9-]{2,63}$/i.test(q);
  const looksLikeId = /^[\w:.-]{1,200}$/.test(q);
  return { id: looksLikeId ? q : null, host: looksLikeHost ? q.toLowerCase() : null, urlPrefix: null };
}

// BullMQ 5 keeps the attempts made as `atm` (older jobs: `attemptsMade`).
const FIELDS = [
  'name',
  'data',
  'timestamp',
  'processedOn',
  'finishedOn',
  'failedReason',
  'returnvalue',
  'atm',
  'delay',
  'attemptsMade',
] as const;

export async function searchJobs(
  env: Environment,
  query: string,
  redis: Redis = queueRedis(env),
  now = Date.now(),
): Promise<JobMatch[]> {
  const plan = planSearch(query);
  try {
    return await run(env, plan, redis, now);
  } catch (err) {
    throw new UpstreamError('Redis', `the queues' Redis did not answer (${describeRedisFailure(err)})`, undefined, {
      cause: err,
    });
  }
}

async function run(env: Environment, plan: Plan, redis: Redis, now: number): Promise<JobMatch[]> {
  const queues = env.queues.names;
  const candidates: { queue: string; id: string; matchedBy: JobMatch['matchedBy'] }[] = [];
  if (plan.id) for (const queue of queues) candidates.push({ queue, id: plan.id, matchedBy: 'id' });
  if (plan.host) {
    // Both indexes while the one kept under the key's old name still holds jobs (contracts/keys.ts),
    // merged newest first by their scores (enqueue times).
    const indexes = await Promise.all(
      [serviceKeys.jobsByHost(plan.host), legacyServiceKeys.jobsByHost(plan.host)].map((name) =>
        redis.zrevrange(name, 0, HOST_CANDIDATES - 1, 'WITHSCORES'),
      ),
    );
    const scored = indexes.flatMap((flat) =>
      flat.flatMap((id, i) => (i % 2 === 0 ? [{ id, at: Number(flat[i + 1]) }] : [])),
    );
    const ids = [...new Set(scored.sort((x, y) => y.at - x.at).map((entry) => entry.id))].slice(0, HOST_CANDIDATES);
    // The api's ids start with the job kind, which is the queue (contracts/jobs.ts).
    for (const id of ids) {
      const queue = queues.find((q) => id.startsWith(`${q}-`));
      if (queue) candidates.push({ queue, id, matchedBy: plan.urlPrefix ? 'url' : 'host' });
    }
  }
  if (candidates.length === 0) return [];
  const rows = await redis.pipeline(candidates.map((c) => ['hmget', bullKey(c.queue, c.id), ...FIELDS])).exec();
  const matches: JobMatch[] = [];
  candidates.forEach((c, i) => {
    const [err, values] = rows?.[i] ?? [null, null];
    // A word such as "wait" or "events" names one of BullMQ's own keys, not a job hash: no match.
    if (err) {
      if (/WRONGTYPE/.test(String(err))) return;
      throw err;
    }
    const [name, data, timestamp, processedOn, finishedOn, failedReason, returnvalue, atm, delay, legacyAttempts] =
      (values ?? []) as (string | null)[];
    const attemptsMade = atm ?? legacyAttempts;
    if (timestamp === null) return; // removed by BullMQ since it was indexed, or not in this queue
    const url = urlOf(data);
    if (plan.urlPrefix && !(url ?? '').startsWith(plan.urlPrefix)) return;
    // A first guess from the hash; the shown matches get their exact state below.
    const state = finishedOn
      ? failedReason && returnvalue === null
        ? 'failed'
        : 'completed'
      : processedOn
        ? 'active'
        : Number(delay ?? 0) > 0 && Number(timestamp) + Number(delay) > now
          ? 'delayed'
          : 'waiting';
    matches.push({
      queue: c.queue,
      id: c.id,
      name: name ?? '',
      state,
      url,
      createdAt: new Date(Number(timestamp)).toISOString(),
      finishedAt: finishedOn ? new Date(Number(finishedOn)).toISOString() : null,
      attemptsMade: Number(attemptsMade ?? 0),
      failedReason: failedReason ? failedReason.split('\n')[0].slice(0, 300) : null,
      matchedBy: c.matchedBy,
    });
  });
  // Chosen newest first by the index's scores; shown newest first by the time shown (BullMQ's
  // own), which the api's index write can miss by a millisecond. Id matches lead.
  const shown = matches
    .slice(0, SEARCH_RESULTS)
    .sort(
      (a, b) =>
        Number(b.matchedBy === 'id') - Number(a.matchedBy === 'id') ||
        Date.parse(b.createdAt ?? '') - Date.parse(a.createdAt ?? ''),
    );
  // The hash alone cannot tell a job waiting out its backoff from a running one: BullMQ's own sets can.
  const states = await redis
    .pipeline(
      shown.flatMap((m) => {
        const key = (set: string) => bullKey(m.queue, set);
        return [
          ['zscore', key('completed'), m.id],
          ['zscore', key('failed'), m.id],
          ['zscore', key('delayed'), m.id],
          ['lpos', key('active'), m.id],
        ];
      }),
    )
    .exec();
  shown.forEach((m, i) => {
    const [completed, failed, delayed, active] = (states ?? [])
      .slice(i * 4, i * 4 + 4)
      .map(([, value]) => value !== null);
    m.state = completed ? 'completed' : failed ? 'failed' : delayed ? 'delayed' : active ? 'active' : 'waiting';
  });
  return shown;
}

function urlOf(data: string | null): string | null {
  if (!data) return null;
  try {
    const parsed = JSON.parse(data) as { input?: { url?: unknown }; url?: unknown };
    const url = parsed.input?.url ?? parsed.url;
    return typeof url === 'string' ? url : null;
  } catch {
    return null;
  }
}
