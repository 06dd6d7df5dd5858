'use client';
/** The queue page's panels: counts and throughput (live), failed jobs paged, failures grouped. */
import Link from 'next/link';
import type { FailedJob, FailureGroup } from '@/model/schemas/queue';
import { QueueActions, type ActionTarget } from './actions/lazy';
import { CapacityLine, KeepingUpLine, QueueSignal, useKeepingUp } from './keeping-up';
import { useSnapshotPart } from './live/live-environment';
import { PartProblem, type PartValue } from './live/part-problem';
import { RelativeTime } from './time';
import { Badge, Card, Empty, Sparkline, Table, td, tdNum, MUTED, TableHead } from './ui';
import { formatDuration } from './format';

export function QueueCountsPanel({ queue, operator }: { queue: string; operator: ActionTarget | null }) {
  const queues = useSnapshotPart('queues');
  const stats = queues.value?.find((q) => q.name === queue);
  const keeping = useKeepingUp();
  const k = keeping.queues.get(queue);
  return (
    <Card
      title="Counts and throughput"
      testId="panel-queue-counts"
      actions={
        operator &&
        stats && <QueueActions target={operator} queue={queue} paused={stats.paused} failed={stats.counts.failed} />
      }
    >
      <PartProblem name="Queues" part={queues} />
      {stats && (
        <div className="space-y-3 px-4 py-3">
          <dl className="grid grid-cols-3 gap-3 text-sm sm:grid-cols-7">
            {Object.entries(stats.counts).map(([state, count]) => (
              <div key={state}>
                <dt className={`text-xs tracking-wide uppercase ${MUTED}`}>{state.replace(/([A-Z])/g, ' $1')}</dt>
                <dd className="text-lg font-semibold tabular-nums" data-count={state}>
                  {count}
                </dd>
              </div>
            ))}
          </dl>
          {k && <QueueSignal k={k} />}
          {k && <KeepingUpLine k={k} />}
          <CapacityLine capacity={keeping.capacity} />
          <p className="text-sm">
            {stats.paused && <Badge tone="warn">paused</Badge>} oldest waiting:{' '}
            <span className="tabular-nums">
              {stats.oldestWaitingAgeMs === null ? 'none waiting' : formatDuration(stats.oldestWaitingAgeMs)}
            </span>
          </p>
          <div className="grid gap-3 sm:grid-cols-2">
            {(['completed', 'failed'] as const).map((what) => {
              const perMinute = what === 'completed' ? stats.completedPerMinute : stats.failedPerMinute;
              return (
                <div key={what}>
                  {/* BullMQ keeps these per-minute counts from a queue's first finished job on. */}
                  <p className={`text-xs ${MUTED}`}>
                    {perMinute.length
                      ? `${what} per minute, last ${perMinute.length} min`
                      : `${what} per minute: none recorded yet`}
                  </p>
                  {perMinute.length > 0 && <Sparkline values={perMinute} label={`${queue}: ${what} per minute`} />}
                </div>
              );
            })}
          </div>
        </div>
      )}
    </Card>
  );
}

export function FailureGroupsPanel({
  groups,
  basePath,
}: {
  groups: PartValue<{ total: number; sampled: number; groups: FailureGroup[] }>;
  basePath: string;
}) {
  return (
    <Card title="Failures by message" testId="panel-failure-groups">
      <PartProblem name="Failed jobs" part={groups} />
      {groups.value &&
        (groups.value.groups.length === 0 ? (
          <Empty>No failed jobs.</Empty>
        ) : (
          <>
            <p className={`px-4 pt-2 text-xs ${MUTED}`}>
              the newest {groups.value.sampled} of {groups.value.total} failed jobs
            </p>
            <Table caption="Failed jobs grouped by message">
              <TableHead columns={['Message', { label: 'Jobs', numeric: true }, 'Latest']} />
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                {groups.value.groups.map((g) => (
                  <tr key={g.message} data-failure-group>
                    <td className={`${td} break-all`}>
                      <Link
                        href={`${basePath}/jobs/${encodeURIComponent(g.sampleJobId)}`}
                        className="underline-offset-2 hover:underline"
                      >
                        {g.message}
                      </Link>
                    </td>
                    <td className={tdNum} data-count="group">
                      {g.count}
                    </td>
                    <td className={td}>
                      <RelativeTime iso={g.latestAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </>
        ))}
    </Card>
  );
}

export function FailedJobsPanel({
  failed,
  page,
  pageSize,
  basePath,
}: {
  failed: PartValue<{ total: number; jobs: FailedJob[] }>;
  page: number;
  pageSize: number;
  basePath: string;
}) {
  const pages = failed.value ? Math.max(1, Math.ceil(failed.value.total / pageSize)) : 1;
  return (
    <Card title="Failed jobs" testId="panel-failed-jobs">
      <PartProblem name="Failed jobs" part={failed} />
      {failed.value &&
        (failed.value.jobs.length === 0 ? (
          <Empty>No failed jobs{page > 1 ? ' on this page' : ''}.</Empty>
        ) : (
          <>
            <Table caption="Failed jobs">
              <TableHead columns={['Job', 'Reason', { label: 'Attempts', numeric: true }, 'Failed']} />
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                {failed.value.jobs.map((job) => (
                  <tr key={job.id} data-job={job.id}>
                    <td className={`${td} font-mono text-xs`}>
                      <Link
                        href={`${basePath}/jobs/${encodeURIComponent(job.id)}`}
                        className="underline-offset-2 hover:underline"
                      >
                        {job.id}
                      </Link>
                    </td>
                    <td className={`${td} text-xs break-all`}>{job.failedReason}</td>
                    <td className={tdNum}>{job.attemptsMade}</td>
                    <td className={td}>
                      <RelativeTime iso={job.failedAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
            <nav aria-label="Failed jobs pages" className="flex items-center gap-3 px-4 py-2 text-sm">
              {page > 1 && (
                <Link href={`${basePath}?page=${page - 1}`} className="underline-offset-2 hover:underline">
                  ← newer
                </Link>
              )}
              <span className={`${MUTED}`}>
                page {page} of {pages}
              </span>
              {page < pages && (
                <Link href={`${basePath}?page=${page + 1}`} className="underline-offset-2 hover:underline">
                  older →
                </Link>
              )}
            </nav>
          </>
        ))}
    </Card>
  );
}
