'use client';
/**
 * The environment page's panels, each reading its own part of the live snapshot: a part
 * re-renders when its data changes, shows its error (and the age of what is still shown)
 * when its source fails, and keeps its rows in a stable order as updates arrive.
 */
import Link from 'next/link';
import type { ReactNode } from 'react';
import type { EnvironmentSnapshot } from '@/model/schemas/snapshot';
import { ServiceActions, type ActionTarget } from './actions/lazy';
import { formatDuration } from './format';
import { CapacityLine, KeepingUpLine, QueueSignal, useKeepingUp } from './keeping-up';
import { useSnapshotPart } from './live/live-environment';
import { PartProblem } from './live/part-problem';
import type { SourceName } from '@/model/schemas/sources';
import { RelativeTime } from './time';
import {
  Badge,
  Card,
  Empty,
  Loading,
  Sparkline,
  Table,
  td,
  tdNum,
  type Tone,
  RolloutBadge,
  MUTED,
  TextLink,
  TableHead,
} from './ui';

type Value<P extends SourceName> = NonNullable<EnvironmentSnapshot[P]['value']>;

/** A card over one snapshot part: the error if its source failed, then the content if there is a value. */
function PartCard<P extends SourceName>({
  part,
  title,
  name,
  children,
  actions,
}: {
  part: P;
  title: ReactNode;
  name: string;
  actions?: ReactNode;
  children: (value: Value<P>) => ReactNode;
}) {
  const data = useSnapshotPart(part);
  return (
    <Card title={title} actions={actions} testId={`panel-${part}`}>
      <PartProblem name={name} part={data} />
      {/* No value and no error: still loading (the page stopped waiting for it; the live stream brings it). */}
      {data.value !== null ? children(data.value as Value<P>) : !data.error && <Loading label={name} />}
    </Card>
  );
}

const TARGET_TONE: Record<string, Tone> = {
  healthy: 'good',
  unhealthy: 'bad',
  draining: 'warn',
  initial: 'info',
  unused: 'neutral',
  unavailable: 'bad',
};

export function ServicesPanel({ env, operator }: { env: string; operator: ActionTarget | null }) {
  const scaling = useSnapshotPart('scaling').value;
  return (
    <PartCard part="ecs" name="ECS" title="Services">
      {(ecs) => (
        <div className="divide-y divide-slate-100 dark:divide-slate-800">
          {ecs.missing.map((name) => (
            <p key={name} className="px-4 py-3 text-sm text-rose-700 dark:text-rose-300">
              {name}: not found in the cluster
            </p>
          ))}
          {ecs.services.map((service) => {
            const bounds = scaling?.[service.role];
            const inFlight = service.deployments.filter(
              (d) => d.rolloutState === 'IN_PROGRESS' || d.status === 'ACTIVE' || d.rolloutState === 'FAILED',
            );
            return (
              <article key={service.arn} data-service={service.role} className="space-y-3 px-4 py-3">
                <header className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
                  <h3 className="font-semibold">
                    <Link
                      href={`/environments/${encodeURIComponent(env)}/services/${service.role}`}
                      className="underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-sky-600"
                    >
                      {service.role}
                    </Link>
                  </h3>
                  <span className="font-mono text-xs text-slate-700 dark:text-slate-300">
                    {service.taskDefinition
                      ? `${service.taskDefinition.family}:${service.taskDefinition.revision}`
                      : '—'}
                  </span>
                  {service.rolloutState && <RolloutBadge state={service.rolloutState} />}
                </header>
                <dl className="grid grid-cols-4 gap-2 text-sm">
                  <Count
                    label="Running"
                    value={service.runningCount}
                    testId="running"
                    warn={service.runningCount < service.desiredCount}
                  />
                  <Count label="Desired" value={service.desiredCount} testId="desired" />
                  <Count label="Pending" value={service.pendingCount} testId="pending" />
                  <div>
                    <dt className={`text-xs tracking-wide uppercase ${MUTED}`}>Min–max</dt>
                    <dd className="font-semibold tabular-nums" data-count="bounds">
                      {bounds ? `${bounds.minCapacity}–${bounds.maxCapacity}` : '—'}
                    </dd>
                  </div>
                </dl>
                {operator && (
                  <ServiceActions
                    target={operator}
                    service={service.role}
                    desired={service.desiredCount}
                    bounds={
                      bounds?.minCapacity != null && bounds.maxCapacity != null
                        ? [bounds.minCapacity, bounds.maxCapacity]
                        : null
                    }
                  />
                )}
                {inFlight.length > 0 && service.deployments.length > 1 && (
                  <ul className="space-y-2" aria-label={`${service.role} deployments`}>
                    {service.deployments.map((d) => (
                      <li key={d.id} className="text-sm" data-deployment={d.id}>
                        <div className="flex flex-wrap items-center gap-2">
                          <Badge tone={d.status === 'PRIMARY' ? 'info' : 'neutral'}>{d.status.toLowerCase()}</Badge>
                          <span className="font-mono text-xs">
                            {d.taskDefinition ? `:${d.taskDefinition.revision}` : ''}
                          </span>
                          <span className="tabular-nums" data-testid="deployment-progress">
                            {d.runningCount} of {d.desiredCount} running
                          </span>
                          {d.failedTasks > 0 && (
                            <span className="text-rose-700 dark:text-rose-300">{d.failedTasks} failed tasks</span>
                          )}
                          {d.rolloutState && <RolloutBadge state={d.rolloutState} />}
                        </div>
                        <Progress
                          value={d.runningCount}
                          max={Math.max(1, d.desiredCount)}
                          label={`${service.role} deployment ${d.id}`}
                        />
                        {d.rolloutStateReason && <p className={`text-xs ${MUTED}`}>{d.rolloutStateReason}</p>}
                      </li>
                    ))}
                  </ul>
                )}
                {bounds && bounds.activities.length > 0 && (
                  <details className="text-sm">
                    <summary className="cursor-pointer text-slate-700 dark:text-slate-300">
                      Scaling: {bounds.activities[0].description}
                    </summary>
                    <ul className={`mt-1 space-y-1 text-xs ${MUTED}`}>
                      {bounds.activities.slice(0, 5).map((a) => (
                        <li key={a.id}>
                          <RelativeTime iso={a.startedAt} /> · {a.description} — {a.cause}
                        </li>
                      ))}
                    </ul>
                  </details>
                )}
                {service.events.length > 0 && (
                  <details className="text-sm">
                    <summary className="cursor-pointer text-slate-700 dark:text-slate-300">
                      Events ({service.events.length})
                    </summary>
                    <ul className={`mt-1 space-y-1 text-xs ${MUTED}`}>
                      {service.events.map((e) => (
                        <li key={e.id}>
                          <RelativeTime iso={e.createdAt} /> · {e.message}
                        </li>
                      ))}
                    </ul>
                  </details>
                )}
              </article>
            );
          })}
        </div>
      )}
    </PartCard>
  );
}

function Count({ label, value, testId, warn }: { label: string; value: number; testId: string; warn?: boolean }) {
  return (
    <div>
      <dt className={`text-xs tracking-wide uppercase ${MUTED}`}>{label}</dt>
      <dd
        className={`font-semibold tabular-nums ${warn ? 'text-amber-700 dark:text-amber-300' : ''}`}
        data-count={testId}
      >
        {value}
      </dd>
    </div>
  );
}

function Progress({ value, max, label }: { value: number; max: number; label: string }) {
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={max}
      aria-valuenow={value}
      className="mt-1 h-1.5 w-full max-w-xs rounded bg-slate-200 dark:bg-slate-700"
    >
      <div
        className="h-1.5 rounded bg-sky-600 dark:bg-sky-400"
        style={{ width: `${Math.min(100, (value / max) * 100)}%` }}
      />
    </div>
  );
}

export function TargetsPanel() {
  return (
    <PartCard part="targets" name="ALB targets" title="Load balancer targets">
      {(lb) => (
        <div>
          {lb.targetGroups.map((group) => {
            const healthy = group.targets.filter((t) => t.state === 'healthy').length;
            return (
              <div key={group.arn} data-target-group={group.name}>
                <p className="px-4 pt-3 text-sm">
                  <span className="font-medium">{group.name}</span>{' '}
                  <span className={`tabular-nums ${MUTED}`} data-testid="targets-healthy">
                    {healthy}/{group.targets.length} healthy
                  </span>
                  <span className={`text-xs ${MUTED}`}> · health check {group.healthCheck.path ?? '—'}</span>
                </p>
                {group.targets.length === 0 ? (
                  <Empty>No registered targets.</Empty>
                ) : (
                  <Table caption={`Targets of ${group.name}`}>
                    <TableHead columns={['Target', 'State', 'Reason']} />
                    <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                      {[...group.targets]
                        .sort((a, b) => a.id.localeCompare(b.id))
                        .map((t) => (
                          <tr key={`${t.id}:${t.port}`} data-target={t.id}>
                            <td className={`${td} font-mono text-xs`}>
                              {t.id}:{t.port}
                            </td>
                            <td className={td}>
                              <Badge tone={TARGET_TONE[t.state] ?? 'neutral'}>{t.state}</Badge>
                            </td>
                            <td className={`${td} text-xs text-slate-700 dark:text-slate-300`}>
                              {[t.reason, t.description].filter(Boolean).join(': ') || '—'}
                            </td>
                          </tr>
                        ))}
                    </tbody>
                  </Table>
                )}
              </div>
            );
          })}
        </div>
      )}
    </PartCard>
  );
}

export function QueuesPanel({ env }: { env: string }) {
  const keeping = useKeepingUp();
  return (
    <PartCard part="queues" name="Queues" title="Queues: keeping up?">
      {(queues) => (
        <>
          <div className="border-b border-slate-200 px-4 py-2 dark:border-slate-800">
            <CapacityLine capacity={keeping.capacity} />
          </div>
          <ul className="grid gap-px bg-slate-100 sm:grid-cols-3 dark:bg-slate-800">
            {queues.map((q) => (
              <li key={q.name} data-queue={q.name} className="space-y-1 bg-white px-4 py-3 dark:bg-slate-900">
                <p className="flex items-center gap-2 font-medium">
                  <Link
                    href={`/environments/${encodeURIComponent(env)}/queues/${encodeURIComponent(q.name)}`}
                    className="underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-sky-600"
                  >
                    {q.name}
                  </Link>
                  {q.paused && <Badge tone="warn">paused</Badge>}
                </p>
                <dl className="grid grid-cols-3 gap-1 text-sm">
                  <Count label="Waiting" value={q.counts.waiting} testId="waiting" />
                  <Count label="Active" value={q.counts.active} testId="active" />
                  <Count label="Failed" value={q.counts.failed} testId="failed" warn={q.counts.failed > 0} />
                </dl>
                <p className={`text-xs ${MUTED}`}>
                  oldest waiting {q.oldestWaitingAgeMs === null ? '—' : formatDuration(q.oldestWaitingAgeMs)}
                  {q.completedPerMinute.length > 0 && (
                    <>
                      {' '}
                      · {sum(q.completedPerMinute)} done in {q.completedPerMinute.length} min
                    </>
                  )}
                </p>
                {keeping.queues.get(q.name) && <KeepingUpLine k={keeping.queues.get(q.name)!} />}
                {keeping.queues.get(q.name) && <QueueSignal k={keeping.queues.get(q.name)!} />}
                <Sparkline values={q.completedPerMinute} label={`${q.name}: jobs completed per minute`} />
              </li>
            ))}
          </ul>
        </>
      )}
    </PartCard>
  );
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

export function DeployRunsPanel({ env }: { env: string }) {
  return (
    <PartCard
      part="deployRuns"
      name="Deploys"
      title="Deploy runs"
      actions={
        <TextLink href={`/environments/${encodeURIComponent(env)}/deploys`} className="text-sm">
          All deploys →
        </TextLink>
      }
    >
      {(runs) =>
        runs.length === 0 ? (
          <Empty>No runs yet.</Empty>
        ) : (
          <Table caption="Deploy runs">
            <TableHead columns={['Run', 'Ref', 'Result', 'By', 'When']} />
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {runs.slice(0, 5).map((run) => (
                <tr key={run.id}>
                  <td className={td}>
                    <a href={run.url} className="underline-offset-2 hover:underline">
                      #{run.runNumber ?? run.id}
                    </a>
                  </td>
                  <td className={`${td} font-mono text-xs`}>
                    {run.ref ?? run.sha.slice(0, 7)}
                    {run.imageTag && <span className={`${MUTED}`}> · {run.imageTag.slice(0, 12)}</span>}
                  </td>
                  <td className={td}>
                    <Badge tone={run.status !== 'completed' ? 'info' : run.conclusion === 'success' ? 'good' : 'bad'}>
                      {run.status === 'completed' ? run.conclusion : run.status}
                    </Badge>
                  </td>
                  <td className={td}>{run.actor ?? '—'}</td>
                  <td className={td}>
                    <RelativeTime iso={run.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )
      }
    </PartCard>
  );
}

export function ImagesPanel() {
  return (
    <PartCard part="images" name="ECR" title="Latest images">
      {(images) => (
        <div className="grid gap-px bg-slate-100 sm:grid-cols-2 dark:bg-slate-800">
          {Object.entries(images).map(([role, repo]) => (
            <div key={role} className="bg-white px-4 py-3 dark:bg-slate-900">
              <p className="text-sm font-medium">
                {role} <span className={`font-mono text-xs font-normal ${MUTED}`}>{repo.repository}</span>
              </p>
              <ul className="mt-1 space-y-0.5 text-xs">
                {repo.images.slice(0, 5).map((image) => (
                  <li key={image.digest} className="flex justify-between gap-2">
                    <span className="truncate font-mono">{image.tags[0] ?? image.digest.slice(7, 19)}</span>
                    <span className={`shrink-0 ${MUTED}`}>
                      <RelativeTime iso={image.pushedAt} />
                    </span>
                  </li>
                ))}
                {repo.images.length === 0 && <li className={`${MUTED}`}>no images</li>}
              </ul>
            </div>
          ))}
        </div>
      )}
    </PartCard>
  );
}

export function ParametersPanel() {
  return (
    <PartCard part="parameters" name="SSM" title="Parameters (values never shown)">
      {(parameters) => (
        <Table caption="SSM parameters">
          <TableHead columns={['Name', 'Status', { label: 'Version', numeric: true }, 'Changed']} />
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {parameters.map((p) => (
              <tr key={p.key} data-parameter={p.key}>
                <td className={`${td} font-mono text-xs`}>{p.key}</td>
                <td className={td}>
                  {p.present ? <Badge tone="good">present</Badge> : <Badge tone="bad">missing</Badge>}
                </td>
                <td className={tdNum}>{p.version ?? '—'}</td>
                <td className={td}>
                  <RelativeTime iso={p.lastModified} />
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </PartCard>
  );
}
