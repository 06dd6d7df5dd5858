/**
 * The timeline's markers, from what the control plane already reads: deploy runs (GitHub),
 * ECS service events (deployments completed or failed, circuit-breaker rollbacks), deployments
 * in flight, scaling activities with their cause, operator actions (the audit stream) and
 * status changes. Pure and browser-safe; each marker says what it is and where it opens.
 */
import type { AuditRecord } from './schemas/audit';
import type { ServiceScaling } from './schemas/autoscaling';
import type { Deployment, ServiceEvent } from './schemas/ecs';
import type { DeployRun } from './schemas/github';

export type MarkerKind = 'deploy' | 'ecs-deployment' | 'rollback' | 'scaling' | 'action' | 'status';
export type MarkerTone = 'good' | 'bad' | 'info' | 'warn' | 'neutral';
export type TimelineMarker = {
  id: string;
  /** Epoch milliseconds. */
  at: number;
  kind: MarkerKind;
  title: string;
  detail: string | null;
  href: string | null;
  tone: MarkerTone;
};

export type MarkerSources = {
  env: string;
  runs: DeployRun[];
  events: Partial<Record<'api' | 'worker', ServiceEvent[]>>;
  deployments: Partial<Record<'api' | 'worker', Deployment[]>>;
  scaling: Partial<Record<'api' | 'worker', ServiceScaling | null>>;
  audit: AuditRecord[];
  statusChanges: { at: number; from: string | null; to: string; reasons: string[] }[];
};

const RUN_TONE = (run: DeployRun): MarkerTone =>
  run.status !== 'completed' ? 'info' : run.conclusion === 'success' ? 'good' : 'bad';

export function timelineMarkers(sources: MarkerSources, from: number, to: number): TimelineMarker[] {
  const base = `/environments/${encodeURIComponent(sources.env)}`;
  const markers: TimelineMarker[] = [];
  const add = (marker: TimelineMarker) => {
    if (marker.at >= from && marker.at <= to) markers.push(marker);
  };

  for (const run of sources.runs) {
    add({
      id: `run-${run.id}`,
      at: Date.parse(run.createdAt), // when it was dispatched: who deployed what, when
      kind: 'deploy',
      title: `Deploy #${run.runNumber ?? run.id} ${run.ref ?? run.sha.slice(0, 7)}: ${run.status === 'completed' ? run.conclusion : run.status}`,
      detail:
        [run.actor && `by ${run.actor}`, run.imageTag && `image ${run.imageTag.slice(0, 12)}`]
          .filter(Boolean)
          .join(' · ') || null,
      href: `${base}/deploys?run=${run.id}`,
      tone: RUN_TONE(run),
    });
  }

  for (const role of ['api', 'worker'] as const) {
    for (const event of sources.events[role] ?? []) {
      if (!event.createdAt) continue;
      const at = Date.parse(event.createdAt);
      const deployment = /\(deployment (ecs-svc\/\d+)\)/.exec(event.message)?.[1];
      if (/deployment completed/.test(event.message)) {
        add({
          id: `ev-${event.id}`,
          at,
          kind: 'ecs-deployment',
          title: `${role}: deployment completed`,
          detail: deployment ?? null,
          href: `${base}/services/${role}`,
          tone: 'good',
        });
      } else if (/deployment failed/.test(event.message)) {
        add({
          id: `ev-${event.id}`,
          at,
          kind: 'ecs-deployment',
          title: `${role}: deployment failed`,
          detail: event.message.replace(/^\(service [^)]+\) /, ''),
          href: `${base}/services/${role}`,
          tone: 'bad',
        });
      } else if (/rolling back to deployment/.test(event.message)) {
        add({
          id: `ev-${event.id}`,
          at,
          kind: 'rollback',
          title: `${role}: circuit breaker rolled back`,
          detail: event.message.replace(/^\(service [^)]+\) /, ''),
          href: `${base}/services/${role}`,
          tone: 'bad',
        });
      }
    }
    for (const d of sources.deployments[role] ?? []) {
      if (!d.createdAt || d.rolloutState !== 'IN_PROGRESS') continue;
      add({
        id: `dep-${d.id}`,
        at: Date.parse(d.createdAt),
        kind: 'ecs-deployment',
        title: `${role}: deployment started`,
        detail: `${d.id}${d.taskDefinition ? ` of :${d.taskDefinition.revision}` : ''} · ${d.runningCount} of ${d.desiredCount} running`,
        href: `${base}/services/${role}`,
        tone: 'info',
      });
    }
    for (const activity of sources.scaling[role]?.activities ?? []) {
      add({
        id: `scale-${activity.id}`,
        at: Date.parse(activity.startedAt),
        kind: 'scaling',
        title: `${role}: ${activity.description}`,
        detail: activity.cause,
        href: `${base}/services/${role}`,
        tone: activity.status === 'Successful' ? 'neutral' : 'warn',
      });
    }
  }

  for (const record of sources.audit) {
    if (record.result !== 'ok' && record.result !== 'failed') continue; // the outcome, not the 'started' record or refusals
    add({
      id: `audit-${record.id}`,
      at: Date.parse(record.at),
      kind: 'action',
      title: `${record.action}${record.target ? ` ${record.target}` : ''} by ${record.user ?? 'unknown'}${record.result === 'failed' ? ': failed' : ''}`,
      detail: record.detail || null,
      href: `/audit?environment=${encodeURIComponent(sources.env)}`,
      tone: record.result === 'ok' ? 'info' : 'bad',
    });
  }

  for (const change of sources.statusChanges) {
    if (!change.from) continue; // the first judgement is not a change
    add({
      id: `status-${change.at}`,
      at: change.at,
      kind: 'status',
      title: `status ${change.from} → ${change.to}`,
      detail: change.reasons[0] ?? null,
      href: base,
      tone: change.to === 'healthy' ? 'good' : change.to === 'down' ? 'bad' : 'warn',
    });
  }
  return markers.sort((a, b) => a.at - b.at);
}
