/**
 * "Why is it unhealthy?": one answer, in order, from what the snapshot already holds: the rule
 * that fired, the unhealthy targets and why, the tasks that stopped badly, the error lines since
 * the trouble began, and the recent changes and conditions ranked as suspects, each with its
 * evidence. Pure and browser-safe: it follows the live snapshot, so every viewer sees the same.
 *
 * Ranking: a change scores by its kind, how close it came before the trouble began (a half-life
 * of ten minutes; a change well after the start is more likely a response), whether it touched
 * a service that is in trouble, and its direct evidence (its own tasks stopping, errors first
 * seen right after it, a service left at zero). A condition with no change behind it (a target
 * failing health checks, a queue nobody consumes, a worker that cannot reach Redis) is a
 * suspect too, so the answer is never empty when something is wrong.
 */
import { SERVICE_ROLES, SERVICE_SECRET_KEYS, type ServiceRole } from '../contracts/platform';
import { exitClass } from './history';
import type { AuditRecord } from './schemas/audit';
import type { DeploymentEvent, HistoricalStop } from './schemas/history';
import type { ErrorGroup } from './schemas/log-errors';
import type { EnvironmentSnapshot } from './schemas/snapshot';

export type SuspectKind =
  'deployment' | 'deploy-run' | 'parameter' | 'scaling' | 'action' | 'scaled-to-zero' | 'target' | 'queue' | 'redis';

export type Suspect = {
  id: string;
  kind: SuspectKind;
  title: string;
  service: ServiceRole | null;
  /** When the change happened; null for a condition. */
  at: string | null;
  evidence: string[];
  score: number;
  /** A deployment that can be undone: the revision that ran before it. */
  rollback: { service: ServiceRole; revision: number } | null;
};

export type Diagnosis = {
  status: 'degraded' | 'down';
  rule: string;
  troubleSince: string;
  services: ServiceRole[];
  unhealthyTargets: {
    group: string;
    id: string;
    port: number | null;
    state: string;
    reason: string | null;
    description: string | null;
  }[];
  stoppedTasks: HistoricalStop[];
  errors: ErrorGroup[];
  suspects: Suspect[];
};

const MINUTE = 60_000;
/** Changes older than this before the trouble are not suspects. */
const LOOKBACK_MS = 2 * 60 * MINUTE;
const HALF_LIFE_MS = 10 * MINUTE;
/** Errors first seen within this after a change count as its evidence. */
const ERRORS_AFTER_MS = 10 * MINUTE;
const SUSPECTS_SHOWN = 6;
const KIND_PRIOR: Record<SuspectKind, number> = {
  deployment: 1,
  'deploy-run': 0.6,
  parameter: 0.9,
  scaling: 0.7,
  action: 0.9,
  'scaled-to-zero': 1.2,
  target: 0.8,
  queue: 0.7,
  redis: 1.5,
};
const REDIS_ERROR = /redis|ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH/i;

const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : NaN);
const ago = (from: number, to: number) => {
  const s = Math.round(Math.abs(to - from) / 1_000);
  const text = s < 90 ? `${s} s` : `${Math.round(s / 60)} min`;
  return to >= from ? `${text} before the trouble began` : `${text} after the trouble began`;
};
const failing = (stop: HistoricalStop) => exitClass(stop) !== 'clean';
const exitText = (stop: HistoricalStop) =>
  stop.containers
    .filter((c) => c.exitCode !== null)
    .map((c) => `exit ${c.exitCode}`)
    .join(', ') ||
  (stop.stopCode ?? 'stopped');

function roleOfTarget(target: string | null): ServiceRole | null {
  return SERVICE_ROLES.find((role) => target === role || target?.startsWith(`${role}`)) ?? null;
}

export function diagnose(snapshot: EnvironmentSnapshot, now: number): Diagnosis | null {
  if (snapshot.status.status === 'healthy') return null;
  const services = snapshot.ecs.value?.services ?? [];
  const stops = snapshot.history.value?.stops ?? [];
  const errorGroups = snapshot.topErrors.value?.groups ?? [];
  const queues = snapshot.queues.value ?? [];

  // --- when it began: when the status left healthy (the recorded history), else the earliest sign in the last hour
  const changes = snapshot.statusChanges.value ?? [];
  const lastHealthyIndex = changes.findIndex((c) => c.to === 'healthy');
  const episode = lastHealthyIndex === -1 ? changes : changes.slice(0, lastHealthyIndex);
  /** The moments the environment became healthy again: a change before one of them was survived. */
  const recoveries = changes.filter((c) => c.to === 'healthy').map((c) => c.at);
  const recentFailing = stops.filter((s) => failing(s) && now - ms(s.stoppedAt) <= 60 * MINUTE);
  const noConsumer = queues.filter((q) => q.counts.waiting > 0 && q.workers === 0);
  /** When it was last healthy: evidence older than that belongs to an earlier episode. */
  const episodeFloor = lastHealthyIndex === -1 ? 0 : changes[lastHealthyIndex].at;
  const signs = [
    ...recentFailing.map((s) => ms(s.stoppedAt)),
    ...errorGroups.map((g) => ms(g.firstSeen)),
    ...noConsumer.map((q) => now - (q.oldestWaitingAgeMs ?? 0)),
  ].filter((t) => Number.isFinite(t) && t <= now && t >= Math.max(episodeFloor, now - 60 * MINUTE));
  // Recorded: when the status left healthy. Not yet recorded (this very judgement is the change),
  // or no history at all: the earliest sign since it was last healthy.
  const troubleStart =
    episode.length && lastHealthyIndex !== -1
      ? episode.at(-1)!.at
      : signs.length
        ? Math.min(...signs)
        : Math.max(episodeFloor, now - 10 * MINUTE);
  const survived = (at: number) => recoveries.some((r) => r > at && r <= troubleStart);

  // --- which services are in trouble
  const unhealthyTargets = (snapshot.targets.value?.targetGroups ?? []).flatMap((group) =>
    group.targets
      .filter((t) => t.state !== 'healthy')
      .map((t) => ({
        group: group.name,
        id: t.id,
        port: t.port,
        state: t.state,
        reason: t.reason,
        description: t.description,
      })),
  );
  const affected = new Set<ServiceRole>();
  for (const s of recentFailing) if (s.role && ms(s.stoppedAt) >= episodeFloor) affected.add(s.role);
  for (const g of errorGroups) if (g.role && ms(g.lastSeen) >= episodeFloor) affected.add(g.role);
  if (unhealthyTargets.length) affected.add('api');
  if (noConsumer.length) affected.add('worker');
  for (const service of services)
    if (service.runningCount < service.desiredCount || (service.role === 'api' && service.desiredCount === 0))
      affected.add(service.role);
  const matches = (role: ServiceRole | null) => (role === null ? 1 : affected.has(role) ? 1.5 : 0.7);
  const proximity = (at: number) => {
    const before = troubleStart - at;
    if (before < -2 * MINUTE) return 0.15; // well after it began: more likely a response than a cause
    return 1 / (1 + Math.max(0, before) / HALF_LIFE_MS);
  };
  const errorsAfter = (at: number, role: ServiceRole | null) =>
    errorGroups.filter(
      (g) =>
        (role === null || g.role === role) &&
        ms(g.firstSeen) >= at &&
        ms(g.firstSeen) - at <= ERRORS_AFTER_MS &&
        ms(g.lastSeen) >= episodeFloor,
    );
  const errorEvidence = (found: ErrorGroup[], at: number) =>
    found
      .slice(0, 2)
      .map(
        (g) =>
          `errors first seen ${Math.max(0, Math.round((ms(g.firstSeen) - at) / 1_000))} s after it: “${g.message}${g.detail ? `: ${g.detail}` : ''}” ×${g.count}`,
      );

  const suspects: Suspect[] = [];
  const change = (s: Omit<Suspect, 'score'>, factor: number) => {
    const at = ms(s.at);
    const healthyAfter = survived(at);
    suspects.push({
      ...s,
      evidence: healthyAfter ? [...s.evidence, 'the environment was healthy again after it'] : s.evidence,
      score: KIND_PRIOR[s.kind] * proximity(at) * matches(s.service) * factor * (healthyAfter ? 0.2 : 1),
    });
  };
  const recent = (at: number) => Number.isFinite(at) && at >= troubleStart - LOOKBACK_MS && at <= now;

  // --- ECS deployments: what ECS says now, and what its events kept
  const deployments = new Map<
    string,
    {
      role: ServiceRole;
      at: number;
      revision: number | null;
      rolledBack: boolean;
      failed: boolean;
      reason: string | null;
    }
  >();
  for (const service of services)
    for (const d of service.deployments)
      deployments.set(d.id, {
        role: service.role,
        at: ms(d.createdAt),
        revision: d.taskDefinition?.revision ?? null,
        rolledBack: /\(rollback\)/.test(d.rolloutStateReason ?? ''),
        failed: d.rolloutState === 'FAILED',
        reason: d.rolloutStateReason,
      });
  for (const event of snapshot.history.value?.deployments ?? ([] as DeploymentEvent[])) {
    if (!event.role) continue;
    const known = deployments.get(event.deploymentId);
    const at = event.eventName === 'SERVICE_DEPLOYMENT_IN_PROGRESS' ? ms(event.at) : NaN;
    if (!known) {
      deployments.set(event.deploymentId, {
        role: event.role,
        at,
        revision: stops.find((s) => s.deploymentId === event.deploymentId)?.taskDefinition?.revision ?? null,
        rolledBack: /\(rollback\)/.test(event.reason ?? ''),
        failed: event.eventName === 'SERVICE_DEPLOYMENT_FAILED',
        reason: event.reason,
      });
    } else {
      if (Number.isFinite(at) && !(known.at <= at)) known.at = at;
      if (event.eventName === 'SERVICE_DEPLOYMENT_FAILED') known.failed = true;
    }
  }
  for (const [id, d] of deployments) {
    if (!recent(d.at)) continue;
    const own = stops.filter((s) => s.deploymentId === id && failing(s) && ms(s.stoppedAt) >= episodeFloor);
    const errors = errorsAfter(d.at, d.role);
    const evidence = [ago(d.at, troubleStart)];
    if (own.length)
      evidence.push(
        `${own.length} of its tasks stopped (${[...new Set(own.map(exitText))].join('; ')}): ${own[0].stoppedReason ?? own[0].stopCode ?? ''}`,
      );
    if (d.failed) evidence.push(`ECS marked it failed${d.reason ? `: ${d.reason}` : ''}`);
    evidence.push(...errorEvidence(errors, d.at));
    // The revision that ran before it: the one its replaced tasks ran.
    const previous =
      d.revision === null
        ? null
        : (stops.find(
            (s) =>
              s.role === d.role &&
              s.deploymentId !== id &&
              s.taskDefinition &&
              s.taskDefinition.revision !== d.revision,
          )?.taskDefinition?.revision ?? null);
    const current = services.find((s) => s.role === d.role)?.taskDefinition?.revision ?? null;
    change(
      {
        id: `deployment:${id}`,
        kind: 'deployment',
        title: `${d.role} deployment ${id}${d.revision !== null ? ` (revision :${d.revision})` : ''}${d.rolledBack ? ', the circuit breaker’s rollback' : ''}`,
        service: d.role,
        at: new Date(d.at).toISOString(),
        evidence,
        rollback:
          !d.rolledBack && previous !== null && current === d.revision ? { service: d.role, revision: previous } : null,
      },
      (d.rolledBack ? 0.2 : 1) * (own.length ? 4 : 1) * (errors.length ? 2 : 1),
    );
  }

  // --- deploy runs (GitHub Actions): the change behind an ECS deployment, or one that failed before reaching ECS
  for (const run of snapshot.deployRuns.value ?? []) {
    const at = ms(run.createdAt);
    if (!recent(at)) continue;
    const errors = errorsAfter(at, null);
    change(
      {
        id: `run:${run.id}`,
        kind: 'deploy-run',
        title: `deploy #${run.runNumber ?? run.id} of ${run.ref ?? run.sha.slice(0, 7)}${run.actor ? ` by ${run.actor}` : ''}`,
        service: null,
        at: run.createdAt,
        evidence: [
          ago(at, troubleStart),
          `${run.status ?? 'unknown'}${run.conclusion ? `, ${run.conclusion}` : ''}`,
          ...errorEvidence(errors, at),
        ],
        rollback: null,
      },
      (run.conclusion && !['success', 'skipped', 'neutral'].includes(run.conclusion) ? 1.5 : 1) *
        (errors.length ? 2 : 1),
    );
  }

  // --- SSM parameters: a changed value reaches the services that read it
  for (const parameter of snapshot.parameters.value ?? []) {
    const at = ms(parameter.lastModified);
    if (!recent(at)) continue;
    const readers = SERVICE_ROLES.filter((role) =>
      (SERVICE_SECRET_KEYS[role] as readonly string[]).includes(parameter.key),
    );
    const role = readers.find((r) => affected.has(r)) ?? (readers.length === 1 ? readers[0] : null);
    const errors = errorsAfter(at, role);
    change(
      {
        id: `parameter:${parameter.name}`,
        kind: 'parameter',
        title: `SSM parameter ${parameter.key} changed${parameter.version !== null ? ` (version ${parameter.version})` : ''}`,
        service: role,
        at: parameter.lastModified,
        evidence: [
          ago(at, troubleStart),
          `read by ${readers.join(' and ') || 'no service'}`,
          ...errorEvidence(errors, at),
        ],
        rollback: null,
      },
      errors.length ? 2 : 1,
    );
  }

  // --- scaling activities
  for (const role of SERVICE_ROLES) {
    for (const activity of snapshot.scaling.value?.[role]?.activities ?? []) {
      const at = ms(activity.startedAt);
      if (!recent(at)) continue;
      const atZero = services.find((s) => s.role === role)?.desiredCount === 0;
      change(
        {
          id: `scaling:${activity.id}`,
          kind: 'scaling',
          title: `${role}: ${activity.description}`,
          service: role,
          at: activity.startedAt,
          evidence: [ago(at, troubleStart), activity.cause],
          rollback: null,
        },
        atZero ? 4 : 1,
      );
    }
  }

  // --- operator actions
  for (const record of (snapshot.actions.value ?? []) as AuditRecord[]) {
    const at = ms(record.at);
    if (!recent(at)) continue;
    const role = roleOfTarget(record.target);
    const service = services.find((s) => s.role === role);
    const toZero = record.action === 'scale' && record.params.desiredCount === 0 && service?.desiredCount === 0;
    const paused = record.action === 'pause' && queues.some((q) => q.name === record.target && q.paused);
    change(
      {
        id: `action:${record.id}`,
        kind: 'action',
        title: `${record.action} ${record.target ?? ''} by ${record.user ?? 'someone'}`.trim(),
        service: role ?? (record.action === 'pause' ? 'worker' : null),
        at: record.at,
        evidence: [
          ago(at, troubleStart),
          ...(toZero ? [`${role} has had no task since: desired count 0`] : []),
          ...(paused ? [`queue ${record.target} is still paused`] : []),
          ...(record.detail ? [record.detail] : []),
        ],
        rollback: null,
      },
      toZero || paused ? 4 : 1,
    );
  }

  // --- conditions with no change behind them
  const condition = (s: Omit<Suspect, 'score' | 'at' | 'rollback'>, factor = 1) =>
    suspects.push({ ...s, at: null, rollback: null, score: KIND_PRIOR[s.kind] * factor });
  for (const service of services)
    if (service.desiredCount === 0 && (service.role === 'api' || noConsumer.length))
      condition({
        id: `zero:${service.role}`,
        kind: 'scaled-to-zero',
        title: `${service.role} is scaled to 0 tasks`,
        service: service.role,
        evidence: [
          service.role === 'api'
            ? 'nothing serves requests'
            : `${noConsumer.map((q) => q.name).join(', ')} waiting with no worker`,
        ],
      });
  for (const target of unhealthyTargets)
    condition({
      id: `target:${target.group}:${target.id}:${target.port}`,
      kind: 'target',
      title: `target ${target.id}${target.port ? `:${target.port}` : ''} of ${target.group} is ${target.state}`,
      service: 'api',
      evidence: [[target.reason, target.description].filter(Boolean).join(': ') || 'no reason given'],
    });
  const redisErrors = errorGroups.filter(
    (g) => g.role === 'worker' && ms(g.lastSeen) >= episodeFloor && REDIS_ERROR.test(`${g.message} ${g.detail}`),
  );
  if (redisErrors.length)
    condition({
      id: 'redis:worker',
      kind: 'redis',
      title: 'the worker cannot reach Redis',
      service: 'worker',
      evidence: [
        ...redisErrors
          .slice(0, 2)
          .map(
            (g) =>
              `“${g.message}${g.detail ? `: ${g.detail}` : ''}” ×${g.count}, first ${new Date(ms(g.firstSeen)).toISOString()}`,
          ),
        ...(noConsumer.length ? [`no worker connected to ${noConsumer.map((q) => q.name).join(', ')}`] : []),
      ],
    });
  for (const queue of noConsumer)
    condition({
      id: `queue:${queue.name}`,
      kind: 'queue',
      title: `queue ${queue.name}: ${queue.counts.waiting} waiting and no worker connected`,
      service: 'worker',
      evidence: [
        `the worker service runs ${services.find((s) => s.role === 'worker')?.runningCount ?? '?'} task(s)`,
        ...(queue.paused ? ['the queue is paused'] : []),
      ],
    });

  suspects.sort((a, b) => b.score - a.score);
  return {
    status: snapshot.status.status,
    rule: snapshot.status.reasons[0] ?? 'no rule named',
    troubleSince: new Date(troubleStart).toISOString(),
    services: [...affected],
    unhealthyTargets,
    stoppedTasks: stops
      .filter((s) => failing(s) && ms(s.stoppedAt) >= Math.max(episodeFloor, troubleStart - 30 * MINUTE))
      .slice(0, 10),
    errors: errorGroups.filter((g) => ms(g.lastSeen) >= Math.max(episodeFloor, troubleStart - 5 * MINUTE)),
    suspects: suspects.slice(0, SUSPECTS_SHOWN),
  };
}
