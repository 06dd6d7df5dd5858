/**
 * An environment's overall status, from simple rules an on-call engineer can check by eye:
 * the first reason is the one that decided it. Decided with each snapshot (lib/snapshot.ts), so
 * every viewer sees the same verdict and the rules never ship to the browser.
 */
import { keepingUp, workerCapacity } from './keeping-up';
import type { SnapshotParts, StatusVerdict } from './schemas/snapshot';
import { SNAPSHOT_SOURCES, type SourceName } from './schemas/sources';

export type { StatusVerdict } from './schemas/snapshot';
export type EnvironmentStatus = StatusVerdict['status'];

/** The parts the rules judge: one whose last read failed makes the verdict "unrefreshed". */
const JUDGED_PARTS: SourceName[] = ['ecs', 'targets', 'queues', 'deployRuns'];
/** What else the rules read (the 5xx share, the worker's scaling bounds): parts a page may not wait for. */
const ALSO_READ: SourceName[] = ['metrics', 'scaling'];

/** A job waiting longer than this means the workers are not keeping up. */
export const OLDEST_WAITING_DEGRADED_MS = 5 * 60_000;

/** Share of requests answered 5xx by the targets (ALB metrics) that degrades, and that takes the environment down. */
export const ERROR_RATE_DEGRADED = 0.05;
export const ERROR_RATE_DOWN = 0.5;
/** Fewer requests than this in the window say too little to judge a rate. */
const ERROR_RATE_MIN_REQUESTS = 20;
/** Metric periods judged: the newest with data, up to this many minutes. */
const ERROR_RATE_WINDOW_MINUTES = 5;
/** Error lines of one kind (lib/log-errors.ts, the last 15 min) that degrade, while the newest is this recent. */
export const ERROR_LINES_DEGRADED = 5;
export const ERRORS_ONGOING_MS = 60_000;
/** A circuit-breaker rollback keeps the environment degraded this long after it. */
export const ROLLED_BACK_RECENT_MS = 30 * 60_000;

const formatPercent = (rate: number) => `${(rate * 100).toFixed(rate < 0.1 ? 1 : 0)}%`;

/** 5xx over requests in the newest periods with data (no older than twice the window). */
function recentErrorRate(snapshot: SnapshotParts): { rate: number; minutes: number } | null {
  const metrics = snapshot.metrics.value;
  if (!metrics) return null;
  const requests = metrics.series.find((s) => s.id === 'requests')?.values ?? [];
  const errors = metrics.series.find((s) => s.id === 'target_5xx')?.values ?? [];
  const slots = Math.max(1, Math.round((ERROR_RATE_WINDOW_MINUTES * 60) / metrics.periodSeconds));
  const newest = requests.length - 1;
  let total = 0;
  let failed = 0;
  let used = 0;
  for (let i = newest; i >= 0 && i > newest - 2 * slots && used < slots; i--) {
    if (requests[i] === null) continue;
    total += requests[i]!;
    failed += errors[i] ?? 0;
    used++;
  }
  if (total < ERROR_RATE_MIN_REQUESTS) return null;
  return { rate: failed / total, minutes: Math.max(1, Math.round((used * metrics.periodSeconds) / 60)) };
}

export function environmentStatus(snapshot: SnapshotParts, now = Date.now()): StatusVerdict {
  const down: string[] = [];
  const degraded: string[] = [];

  const ecs = snapshot.ecs.value;
  if (!ecs) down.push(`ECS cannot be read: ${snapshot.ecs.error?.message ?? 'no data yet'}`);
  for (const name of ecs?.missing ?? []) down.push(`service ${name} does not exist in the cluster`);
  for (const service of ecs?.services ?? []) {
    // The api with no task asked for serves nothing: scaled to zero is down, not quiet.
    if (service.role === 'api' && service.desiredCount === 0)
      down.push('api: scaled to 0 tasks, nothing serves requests');
    else if (service.desiredCount > 0 && service.runningCount === 0)
      down.push(`${service.role}: no task running of ${service.desiredCount} desired`);
    else if (service.runningCount < service.desiredCount && service.rolloutState !== 'IN_PROGRESS') {
      degraded.push(`${service.role}: ${service.runningCount} of ${service.desiredCount} tasks running`);
    }
    const failed = service.deployments.find((d) => d.rolloutState === 'FAILED');
    if (failed)
      degraded.push(
        `${service.role}: deployment ${failed.id} failed${failed.rolloutStateReason ? ` (${failed.rolloutStateReason})` : ''}`,
      );
    // ECS's event when the circuit breaker undoes a deployment: a bad deploy happened, even if all is running again.
    const rollback = service.events.find(
      (e) =>
        /rolling back to deployment/.test(e.message) &&
        e.createdAt &&
        now - Date.parse(e.createdAt) < ROLLED_BACK_RECENT_MS,
    );
    if (rollback && !failed)
      degraded.push(
        `${service.role}: the circuit breaker rolled a deployment back ${Math.max(1, Math.round((now - Date.parse(rollback.createdAt!)) / 60_000))} min ago`,
      );
  }

  const errorRate = recentErrorRate(snapshot);
  if (errorRate && errorRate.rate >= ERROR_RATE_DOWN)
    down.push(`${formatPercent(errorRate.rate)} of requests answered 5xx in the last ${errorRate.minutes} min`);
  else if (errorRate && errorRate.rate >= ERROR_RATE_DEGRADED)
    degraded.push(`${formatPercent(errorRate.rate)} of requests answered 5xx in the last ${errorRate.minutes} min`);

  for (const group of snapshot.targets.value?.targetGroups ?? []) {
    const healthy = group.targets.filter((t) => t.state === 'healthy').length;
    const unhealthy = group.targets.filter((t) => t.state === 'unhealthy');
    if (group.targets.length > 0 && healthy === 0)
      down.push(`${group.name}: no healthy target of ${group.targets.length}`);
    else if (unhealthy.length > 0) {
      const first = unhealthy[0];
      degraded.push(
        `${group.name}: ${unhealthy.length} unhealthy target${unhealthy.length > 1 ? 's' : ''} (${first.id}${first.reason ? `: ${first.reason}` : ''})`,
      );
    }
  }

  // A service writing the same error again and again, and still: something is failing that no other rule sees.
  for (const group of snapshot.topErrors.value?.groups ?? []) {
    if (group.count >= ERROR_LINES_DEGRADED && now - Date.parse(group.lastSeen) <= ERRORS_ONGOING_MS)
      degraded.push(
        `${group.role ?? 'a service'}: “${group.message}${group.detail ? `: ${group.detail}` : ''}” ×${group.count} in the last 15 min`,
      );
  }

  const lastRun = snapshot.deployRuns.value?.[0];
  if (
    lastRun &&
    lastRun.status === 'completed' &&
    lastRun.conclusion &&
    !['success', 'skipped', 'neutral'].includes(lastRun.conclusion)
  ) {
    degraded.push(
      `last deploy #${lastRun.runNumber ?? lastRun.id} (${lastRun.ref ?? lastRun.sha.slice(0, 7)}) ended ${lastRun.conclusion}`,
    );
  }

  const capacity = workerCapacity(snapshot);
  for (const queue of snapshot.queues.value ?? []) {
    // Jobs that no worker will take: that part of the platform does nothing.
    const { signal } = keepingUp(queue, capacity);
    if (signal?.kind === 'no-consumer') down.push(`queue ${queue.name}: ${signal.message}`);
    if (signal?.kind === 'growing-at-max') degraded.push(`queue ${queue.name}: ${signal.message}`);
    if (queue.oldestWaitingAgeMs !== null && queue.oldestWaitingAgeMs >= OLDEST_WAITING_DEGRADED_MS) {
      degraded.push(`queue ${queue.name}: oldest job waiting ${Math.round(queue.oldestWaitingAgeMs / 60_000)} min`);
    }
  }
  if (!snapshot.queues.value && snapshot.queues.error)
    degraded.push(`queues cannot be read: ${snapshot.queues.error.message}`);
  if (snapshot.targets.error && !snapshot.targets.value)
    degraded.push(`ALB health cannot be read: ${snapshot.targets.error.message}`);

  const unrefreshed = JUDGED_PARTS.filter((part) => snapshot[part].error && snapshot[part].value !== null).map(
    (part) => SNAPSHOT_SOURCES[part].label,
  );
  // Never read yet, and no error: a page rendered before they came (the live stream brings them).
  const pending = [...JUDGED_PARTS, ...ALSO_READ]
    .filter(
      (part) => snapshot[part].value === null && snapshot[part].error === null && snapshot[part].fetchedAt === null,
    )
    .map((part) => SNAPSHOT_SOURCES[part].label);
  const notes = { unrefreshed, ...(pending.length ? { pending } : {}) };
  if (down.length) return { status: 'down', reasons: [...down, ...degraded], ...notes };
  if (degraded.length) return { status: 'degraded', reasons: degraded, ...notes };
  return { status: 'healthy', reasons: [], ...notes };
}
