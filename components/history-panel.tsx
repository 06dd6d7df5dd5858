'use client';
/** The service page's 30-day memory: exit codes per day, the tasks that stopped, the deployments that changed (live). */
import type { ServiceRole } from '@/contracts/platform';
import { EXIT_CLASSES, exitClass, stopsPerDay, type ExitClass } from '@/model/history';
import { logsHref } from '@/model/log-links';
import { containerOutcome } from '@/model/task-failures';
import { formatTime } from './format';
import { useLive, useSnapshotPart } from './live/live-environment';
import { PartProblem } from './live/part-problem';
import { RelativeTime } from './time';
import { Badge, Card, Empty, ListTable, Loading, MUTED, td, TextLink } from './ui';

const STOPS_SHOWN = 15;
const DEPLOYMENT_EVENTS_SHOWN = 8;
const CLASS_COLOUR: Record<ExitClass, string> = {
  oom: 'bg-rose-600 dark:bg-rose-500',
  error: 'bg-amber-500 dark:bg-amber-400',
  other: 'bg-violet-500 dark:bg-violet-400',
  clean: 'bg-slate-300 dark:bg-slate-600',
  none: 'bg-slate-300 dark:bg-slate-600',
};

export function HistoryPanel({ env, role }: { env: string; role: ServiceRole }) {
  const history = useSnapshotPart('history');
  const { at } = useLive();
  const stops = (history.value?.stops ?? []).filter((s) => s.role === role);
  const deployments = (history.value?.deployments ?? []).filter((d) => d.role === role);
  const days = stopsPerDay(stops, Date.parse(at));
  const busiest = Math.max(1, ...days.map((d) => d.total));
  const failed = stops.filter((s) => exitClass(s) !== 'clean').length;
  return (
    <Card
      title="Stopped tasks, last 30 days"
      testId="panel-history"
      actions={history.value && failed > 0 && <Badge tone="bad">{failed} failed</Badge>}
    >
      <PartProblem name="Stopped-task history" part={history} />
      {!history.value && !history.error && <Loading label="stopped-task history" />}
      {history.value && (
        <div className="space-y-3 py-3">
          <figure className="px-4">
            <div
              className="flex h-16 items-end gap-px"
              role="img"
              aria-label={`Stopped tasks per day: ${stops.length} in 30 days, ${failed} not clean`}
              data-testid="exit-code-trend"
            >
              {days.map((day) => (
                <div
                  key={day.day}
                  className="flex h-full min-w-0 flex-1 flex-col-reverse"
                  title={`${day.day}: ${day.total} stopped${EXIT_CLASSES.filter((c) => day.counts[c.key])
                    .map((c) => `, ${day.counts[c.key]} × ${c.label}`)
                    .join('')}`}
                  data-day={day.day}
                  data-total={day.total}
                  data-oom={day.counts.oom}
                >
                  {EXIT_CLASSES.map((c) =>
                    day.counts[c.key] ? (
                      <div
                        key={c.key}
                        className={CLASS_COLOUR[c.key]}
                        style={{ height: `${(day.counts[c.key] / busiest) * 100}%` }}
                      />
                    ) : null,
                  )}
                  {day.total === 0 && <div className="h-px bg-slate-200 dark:bg-slate-700" />}
                </div>
              ))}
            </div>
            <figcaption className={`mt-1 flex flex-wrap gap-x-3 text-xs ${MUTED}`}>
              <span>{days[0]?.day}</span>
              {EXIT_CLASSES.map((c) => (
                <span key={c.key} className="inline-flex items-center gap-1">
                  <span className={`inline-block h-2 w-2 ${CLASS_COLOUR[c.key]}`} aria-hidden /> {c.label}
                </span>
              ))}
              <span className="ml-auto">today</span>
            </figcaption>
            {Date.parse(history.value.stopsSince) > Date.parse(at) - 29 * 86_400_000 && (
              <p className={`mt-1 text-xs ${MUTED}`}>
                The newest stops reach back to {formatTime(history.value.stopsSince)}; older days are not counted.
              </p>
            )}
          </figure>
          <ListTable
            caption="Stopped tasks, last 30 days"
            columns={['Task', 'Revision', 'Deployment', 'Stopped', 'Why', 'Containers']}
            items={stops.slice(0, STOPS_SHOWN)}
            empty={`No ${role} task stopped in the last 30 days.`}
          >
            {(s) => (
              <tr key={s.taskArn} data-history-task={s.taskId} data-exit-class={exitClass(s)}>
                <td className={`${td} font-mono text-xs`}>
                  <TextLink
                    href={logsHref(env, role, { task: s.taskId, at: s.stoppedAt })}
                    title={`Logs of task ${s.taskId}, around its stop`}
                  >
                    {s.taskId.slice(0, 12)}
                  </TextLink>
                </td>
                <td className={`${td} font-mono text-xs`}>
                  {s.taskDefinition ? `:${s.taskDefinition.revision}` : '—'}
                </td>
                <td className={`${td} font-mono text-xs`}>{s.deploymentId ?? '—'}</td>
                <td className={td}>
                  <RelativeTime iso={s.stoppedAt} />
                </td>
                <td className={td}>
                  {s.stoppedReason ?? '—'}
                  {s.stopCode && <span className={`block font-mono text-xs ${MUTED}`}>{s.stopCode}</span>}
                </td>
                <td className={`${td} font-mono text-xs`}>{containerOutcome(s) || '—'}</td>
              </tr>
            )}
          </ListTable>
          <div className="px-4">
            <h3 className="text-sm font-medium">Deployments, last 30 days</h3>
            {deployments.length === 0 ? (
              <Empty>No deployment of {role} changed state in the last 30 days.</Empty>
            ) : (
              <ul className="mt-1 space-y-1 text-xs" data-testid="history-deployments">
                {deployments.slice(0, DEPLOYMENT_EVENTS_SHOWN).map((d) => (
                  <li key={`${d.deploymentId}-${d.eventName}-${d.at}`}>
                    <RelativeTime iso={d.at} /> ·{' '}
                    <TextLink href={logsHref(env, role, { deployment: d.deploymentId })} className="font-mono">
                      {d.deploymentId}
                    </TextLink>{' '}
                    <Badge tone={d.eventType === 'ERROR' ? 'bad' : 'neutral'}>
                      {d.eventName.replace('SERVICE_DEPLOYMENT_', '').toLowerCase().replace('_', ' ')}
                    </Badge>{' '}
                    <span className={MUTED}>{d.reason}</span>
                  </li>
                ))}
              </ul>
            )}
          </div>
        </div>
      )}
    </Card>
  );
}
