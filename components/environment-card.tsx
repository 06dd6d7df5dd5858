'use client';
import type { EnvironmentSnapshot } from '@/model/schemas/snapshot';
import { formatDuration } from './format';
import { useSnapshot } from './live/live-environment';
import { LiveStatus } from './live/live-status';
import { PartProblem, type PartValue } from './live/part-problem';
import { EnvironmentStatusLine } from './status-badge';
import { RelativeTime } from './time';
import { Badge, Loading, Sparkline, MUTED, TextLink, RolloutBadge, TableHead } from './ui';

/** An environment on the overview: its status and why, services, targets, deploys and queues, live. */
// The card's tables sit edge to edge in it: the first and last columns line up with its padding.
const CARD_HEAD = `text-left text-xs tracking-wide whitespace-nowrap uppercase ${MUTED}`;
const edge = (label: string, numeric = false) => ({
  label,
  className: `px-5 py-2 font-medium${numeric ? ' text-right' : ''}`,
});
const count = (label: string) => ({ label, className: 'px-3 py-2 text-right font-medium' });

export function EnvironmentCard() {
  const snapshot = useSnapshot();
  const { environment } = snapshot;
  const headingId = `env-${environment.name}`;
  return (
    <section
      aria-labelledby={headingId}
      data-colour={environment.colour}
      className="min-w-0 rounded-lg border border-t-4 border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900"
      style={{ borderTopColor: environment.colour }}
    >
      <div className="flex flex-wrap items-center gap-3 border-b border-slate-200 px-5 py-3 dark:border-slate-800">
        <h2 id={headingId} className="text-base font-semibold">
          {environment.name}
        </h2>
        {environment.production && (
          <span data-testid="production-badge">
            <Badge tone="prod">production</Badge>
          </span>
        )}
        <span className={`text-sm ${MUTED}`}>
          {environment.region} · cluster {environment.cluster}
        </span>
        <TextLink
          href={`/environments/${encodeURIComponent(environment.name)}`}
          className="ml-auto text-sm font-medium focus-visible:outline-2 focus-visible:outline-sky-600"
        >
          Open {environment.name} →
        </TextLink>
      </div>
      <div className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-200 px-5 py-2 dark:border-slate-800">
        <EnvironmentStatusLine />
        <LiveStatus />
      </div>
      <Part name="ECS" part={snapshot.ecs}>
        {() => <ServiceTable snapshot={snapshot} />}
      </Part>
      <div className="grid gap-0 border-t border-slate-200 md:grid-cols-2 dark:border-slate-800">
        <div>
          <Part name="ALB targets" part={snapshot.targets}>
            {(lb) => <TargetHealth health={lb} />}
          </Part>
          <RequestsTrend metrics={snapshot.metrics.value} />
        </div>
        <Part name="Deploys" part={snapshot.deployRuns}>
          {(runs) => <LastDeploy runs={runs} />}
        </Part>
      </div>
      <Part name="Queues" part={snapshot.queues}>
        {(queues) => <QueueTable queues={queues} />}
      </Part>
    </section>
  );
}

/** A part of the snapshot: its content, or its error (with the age of what is shown), never silent. */
function Part<T>({
  name,
  part,
  children,
}: {
  name: string;
  part: PartValue<T>;
  children: (value: T) => React.ReactNode;
}) {
  return (
    <div data-part={name} className="border-t border-slate-100 first:border-t-0 dark:border-slate-800">
      <PartProblem name={name} part={part} />
      {part.value !== null ? children(part.value) : !part.error && <Loading label={name} />}
    </div>
  );
}

function ServiceTable({ snapshot }: { snapshot: EnvironmentSnapshot }) {
  const services = snapshot.ecs.value?.services ?? [];
  const missing = snapshot.ecs.value?.missing ?? [];
  const scaling = snapshot.scaling.value;
  return (
    <div
      className="overflow-x-auto"
      tabIndex={0}
      role="region"
      aria-label={`ECS services in ${snapshot.environment.name}`}
    >
      <table className="w-full text-sm">
        <caption className="sr-only">ECS services in {snapshot.environment.name}</caption>
        <TableHead
          className={CARD_HEAD}
          columns={[
            edge('Service'),
            count('Desired'),
            count('Running'),
            count('Pending'),
            count('Min–max'),
            edge('Rollout'),
          ]}
        />
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {services.map((s) => {
            const bounds = scaling?.[s.role];
            return (
              <tr key={s.arn} data-service={s.role}>
                <th scope="row" className="px-5 py-2 text-left font-medium">
                  {s.role}
                  <span className={`block max-w-48 truncate font-mono text-xs font-normal ${MUTED}`}>
                    {s.taskDefinition ? `${s.taskDefinition.family}:${s.taskDefinition.revision}` : '—'}
                  </span>
                </th>
                <td className="px-3 py-2.5 text-right tabular-nums" data-count="desired">
                  {s.desiredCount}
                </td>
                <td
                  className={`px-3 py-2.5 text-right tabular-nums ${s.runningCount < s.desiredCount ? 'font-semibold text-amber-700 dark:text-amber-300' : ''}`}
                  data-count="running"
                >
                  {s.runningCount}
                </td>
                <td className="px-3 py-2.5 text-right tabular-nums" data-count="pending">
                  {s.pendingCount}
                </td>
                <td className={`px-3 py-2.5 text-right whitespace-nowrap tabular-nums ${MUTED}`}>
                  {bounds ? `${bounds.minCapacity}–${bounds.maxCapacity}` : '—'}
                </td>
                <td className="px-5 py-2.5">
                  {s.rolloutState ? <RolloutBadge state={s.rolloutState} /> : <span className="text-slate-400">—</span>}
                </td>
              </tr>
            );
          })}
          {missing.map((name) => (
            <tr key={name}>
              <th scope="row" className="px-5 py-2.5 text-left font-medium">
                {name}
              </th>
              <td colSpan={5} className="px-3 py-2.5 text-rose-700 dark:text-rose-300">
                not found in cluster {snapshot.environment.cluster}
              </td>
            </tr>
          ))}
          {services.length === 0 && missing.length === 0 && (
            <tr>
              <td colSpan={6} className="px-5 py-4 text-slate-600">
                No services configured.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

function TargetHealth({ health }: { health: NonNullable<EnvironmentSnapshot['targets']['value']> }) {
  const targets = health.targetGroups.flatMap((g) => g.targets);
  const healthy = targets.filter((t) => t.state === 'healthy').length;
  const unhealthy = targets.filter((t) => t.state !== 'healthy');
  return (
    <div className="px-5 py-3 text-sm" data-testid="target-health">
      <p>
        <span className={`text-xs tracking-wide uppercase ${MUTED}`}>ALB targets </span>
        <span
          className={`font-semibold tabular-nums ${unhealthy.length ? 'text-rose-700 dark:text-rose-300' : 'text-emerald-700 dark:text-emerald-300'}`}
        >
          {healthy}/{targets.length} healthy
        </span>
      </p>
      {unhealthy.length > 0 && (
        <ul className="mt-1 space-y-0.5 text-xs text-rose-700 dark:text-rose-300">
          {unhealthy.map((t) => (
            <li key={`${t.id}:${t.port}`}>
              {t.id}:{t.port} {t.state}
              {t.reason && ` — ${t.reason}`}
              {t.description && `: ${t.description}`}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Requests per period over the snapshot's metrics range: the card's small trend. */
function RequestsTrend({ metrics }: { metrics: EnvironmentSnapshot['metrics']['value'] }) {
  const requests = metrics?.series.find((series) => series.id === 'requests');
  const values = requests?.values.filter((v) => v !== null) ?? [];
  if (!metrics || values.length < 2) return null;
  return (
    <div className={`px-5 pb-3 text-xs ${MUTED}`} data-testid="requests-trend">
      <span>
        requests, last {Math.round(metrics.rangeMinutes / 60)} h · now {values.at(-1)}/min
      </span>
      <Sparkline
        values={values}
        label={`Requests per minute over the last ${Math.round(metrics.rangeMinutes / 60)} hours`}
      />
    </div>
  );
}

/** The deploy that is live (the newest successful run) and the newest run's result. */
function LastDeploy({ runs }: { runs: NonNullable<EnvironmentSnapshot['deployRuns']['value']> }) {
  const last = runs[0];
  const live = runs.find((r) => r.conclusion === 'success');
  const lastTone = !last
    ? 'neutral'
    : last.status !== 'completed'
      ? 'info'
      : last.conclusion === 'success'
        ? 'good'
        : 'bad';
  return (
    <div className="space-y-1 px-5 py-3 text-sm" data-testid="last-deploy">
      <p>
        <span className={`text-xs tracking-wide uppercase ${MUTED}`}>Last deploy </span>
        {last ? (
          <span>
            <a href={last.url} className="font-medium underline-offset-2 hover:underline focus-visible:outline-2">
              #{last.runNumber} {last.ref}
            </a>{' '}
            <Badge tone={lastTone}>{last.status === 'completed' ? last.conclusion : last.status}</Badge>{' '}
            <span className={`${MUTED}`}>{last.actor ?? 'unknown'}</span>
          </span>
        ) : (
          <span className={`${MUTED}`}>no runs yet</span>
        )}
      </p>
      {live && (
        <p className={`text-xs ${MUTED}`} data-testid="live-deploy">
          live: <span className="font-mono text-slate-800 dark:text-slate-200">{live.ref}</span>
          {live.imageTag && (
            <>
              {' '}
              · image <span className="font-mono">{live.imageTag.slice(0, 12)}</span>
            </>
          )}{' '}
          · <RelativeTime iso={live.startedAt ?? live.createdAt} /> by {live.actor ?? 'unknown'}
        </p>
      )}
    </div>
  );
}

function QueueTable({ queues }: { queues: NonNullable<EnvironmentSnapshot['queues']['value']> }) {
  return (
    <div className="overflow-x-auto" tabIndex={0} role="region" aria-label="Queues">
      <table className="w-full text-sm">
        <caption className="sr-only">Queues</caption>
        <TableHead
          className={CARD_HEAD}
          columns={[
            edge('Queue'),
            count('Waiting'),
            count('Active'),
            count('Failed'),
            count('Completed'),
            edge('Oldest waiting', true),
          ]}
        />
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {queues.map((q) => (
            <tr key={q.name} data-queue={q.name}>
              <th scope="row" className="px-5 py-2 text-left font-medium">
                {q.name}
                {q.paused && <span className="ml-2 rounded bg-slate-200 px-1.5 text-xs dark:bg-slate-700">paused</span>}
              </th>
              <td className="px-3 py-2 text-right tabular-nums" data-count="waiting">
                {q.counts.waiting}
              </td>
              <td className="px-3 py-2 text-right tabular-nums" data-count="active">
                {q.counts.active}
              </td>
              <td
                className={`px-3 py-2 text-right tabular-nums ${q.counts.failed ? 'text-rose-700 dark:text-rose-300' : ''}`}
                data-count="failed"
              >
                {q.counts.failed}
              </td>
              <td className="px-3 py-2 text-right tabular-nums" data-count="completed">
                {q.counts.completed}
              </td>
              <td className={`px-5 py-2 text-right tabular-nums ${MUTED}`}>
                {q.oldestWaitingAgeMs === null ? '—' : formatDuration(q.oldestWaitingAgeMs)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
