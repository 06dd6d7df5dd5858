/**
 * Every Redis key Pilothouse writes, the control plane's and the services', built here and
 * only here. All start with `ph:` (BullMQ's own keys start with `bull:`); the services' keys
 * have a namespace of their own (`ph:svc:`), so a Redis user for the services can be allowed
 * theirs and BullMQ's and nothing of the control plane's.
 */
export const KEY_PREFIX = 'ph:';

/**
 * Bumped when a cached DTO's shape changes, so a deploy never reads what the previous one
 * wrote (lib/cache.ts also treats a value its schema rejects as a miss).
 */
export const CACHE_VERSION = 3;

export const keys = {
  cacheEntry: (name: string) => `${KEY_PREFIX}cache:v${CACHE_VERSION}:${name}`,
  cacheLock: (name: string) => `${KEY_PREFIX}lock:v${CACHE_VERSION}:${name}`,
  /** Live updates (lib/live.ts): who refreshes an environment, its message counter and latest message. */
  liveLease: (env: string) => `${KEY_PREFIX}live:lease:${env}`,
  liveVersion: (env: string) => `${KEY_PREFIX}live:version:${env}`,
  liveLatest: (env: string) => `${KEY_PREFIX}live:v${CACHE_VERSION}:latest:${env}`,
  /** Pub/sub channels are not per database: the prefix keeps them apart from anything else. */
  liveChannel: (env: string) => `${KEY_PREFIX}live:v${CACHE_VERSION}:updates:${env}`,
  liveRefreshChannel: (env: string) => `${KEY_PREFIX}live:refresh:${env}`,
  /** A log group's live tail (lib/log-tail.ts): where its one reader got to, whichever instance reads next. */
  tailCursor: (group: string) => `${KEY_PREFIX}tail:cursor:${group}`,
  /** Every attempt at an action or a sign-in, allowed or refused (lib/audit.ts): a capped stream. */
  audit: `${KEY_PREFIX}audit`,
  /** Marks a record written, so a retried write (held through an outage) lands once. */
  auditWritten: (recordId: string) => `${KEY_PREFIX}audit-written:${recordId}`,
  /** An action's first answer, kept for repeats with the same Idempotency-Key (per person). */
  idempotency: (login: string, key: string) => `${KEY_PREFIX}idem:${login.toLowerCase()}:${key}`,
  /** Who is changing a service right now: one deploy, redeploy or rollback at a time. */
  inflight: (env: string, target: string) => `${KEY_PREFIX}inflight:${env}:${target}`,
  /** Actions per person per minute. */
  actionRate: (login: string, minute: number) => `${KEY_PREFIX}rate:${login.toLowerCase()}:${minute}`,
  /** Refused attempts per person per minute: only so many are audited. */
  refusalRate: (login: string, minute: number) => `${KEY_PREFIX}refusals:${login.toLowerCase()}:${minute}`,
  /** Each refresh's queue counters (lib/queue-rates.ts): a few minutes of samples, for arrival and finish rates. */
  queueSamples: (env: string) => `${KEY_PREFIX}queue-samples:${env}`,
  /** An environment's status as last judged, as last announced, and since when it differs (lib/status-alerts.ts). */
  statusState: (env: string) => `${KEY_PREFIX}status:${env}`,
  /** Every change of an environment's status, capped: the timeline shows them. */
  statusHistory: (env: string) => `${KEY_PREFIX}status-history:${env}`,
};

/** Cache entry names: one per data source and environment (and variant, where there is one). */
export const cacheNames = {
  /** A snapshot source's entry (model/schemas/sources.ts): one per source and environment. */
  source: (env: string, source: string) => `source:${source}:${env}`,
  /** The charts over a range other than the snapshot's default. */
  metrics: (env: string, rangeMinutes: number) => `cloudwatch:${env}:${rangeMinutes}m`,
  queueDepth: (env: string, queue: string, rangeMinutes: number) => `cloudwatch:${env}:queue:${queue}:${rangeMinutes}m`,
  serviceTasks: (env: string, service: string) => `ecs:tasks:${env}:${service}`,
  stoppedTasks: (env: string, service: string) => `ecs:stopped-tasks:${env}:${service}`,
  taskDefinitions: (env: string, service: string) => `ecs:taskdefs:${env}:${service}`,
  serviceEvents: (env: string) => `ecs:events:${env}`,
  timelineMetrics: (env: string, minutes: number) => `cloudwatch:timeline:${env}:${minutes}`,
  /** A person's roles, from GitHub team membership (lib/access.ts). Logins are case-insensitive. */
  roles: (login: string) => `access:roles:${login.toLowerCase()}`,
};

/** The services' namespace: the api's idempotency answers, rate limits and job index. */
export const SERVICE_KEY_PREFIX = `${KEY_PREFIX}svc:`;

export const serviceKeys = {
  /** An API key's Idempotency-Key (hashed: it may be anything) and the job it made. */
  idempotency: (owner: string, idempotencyKeyHash: string) =>
    `${SERVICE_KEY_PREFIX}idem:${owner}:${idempotencyKeyHash}`,
  /** @fastify/rate-limit's namespace: one counter per API key per window. */
  rateLimitNamespace: `${SERVICE_KEY_PREFIX}rate:`,
  /**
   * The api's index of jobs by the host of their URL (a sorted set per host: job ids by
   * enqueue time), so the control plane finds a job by host or URL without scanning the queues.
   */
  jobsByHost: (host: string) => `${SERVICE_KEY_PREFIX}jobs:by-host:${host.toLowerCase()}`,
};

/**
 * The services' keys as they were named before they moved under `ph:svc:` (December 2026).
 * Read, never written: an Idempotency-Key's record (24 h) is adopted under its new name on
 * first use, and job search reads both host indexes (failed jobs live 7 days). Delete this,
 * and its two readers, once a week has passed since the move was deployed everywhere.
 */
export const legacyServiceKeys = {
  idempotency: (owner: string, idempotencyKeyHash: string) => `${KEY_PREFIX}idem:${owner}:${idempotencyKeyHash}`,
  jobsByHost: (host: string) => `${KEY_PREFIX}jobs:by-host:${host.toLowerCase()}`,
};

/** BullMQ's own prefix (its default): the services' queues and the control plane's reads of them. */
export const BULL_PREFIX = 'bull';

/** One of BullMQ's keys for a queue (`bull:<queue>:<suffix>`): a state list or set, a job hash, the metrics. */
export const bullKey = (queue: string, suffix: string) => `${BULL_PREFIX}:${queue}:${suffix}`;
