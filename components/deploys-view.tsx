'use client';
/** The deploys page: workflow runs beside the ECS deployments, each linked to the other. */
import Link from 'next/link';
import { revisionFromRun } from '@/model/deploy-links';
import type { TaskDefinitionRevision } from '@/model/schemas/ecs';
import type { RunJob } from '@/model/schemas/github';
import { useSnapshotPart } from './live/live-environment';
import { PartProblem, type PartValue } from './live/part-problem';
import { RelativeTime } from './time';
import { formatDuration } from './format';
import { Badge, Card, Empty, td, tdNum, type Tone, RolloutBadge, MUTED, ListTable } from './ui';

type Revisions = Record<string, TaskDefinitionRevision[]>;

const resultTone = (status: string | null, conclusion: string | null): Tone =>
  status !== 'completed' ? 'info' : conclusion === 'success' ? 'good' : conclusion === 'skipped' ? 'neutral' : 'bad';

const duration = (ms: number | null) => (ms === null ? '—' : formatDuration(ms));

export function RunsPanel({
  revisions,
  selected,
  basePath,
}: {
  revisions: Revisions;
  selected: number | null;
  basePath: string;
}) {
  const runs = useSnapshotPart('deployRuns');
  return (
    <Card title="Deploy workflow runs" testId="panel-runs">
      <PartProblem name="GitHub" part={runs} />
      {runs.value && (
        <ListTable
          caption="Deploy workflow runs"
          columns={['Run', 'Result', 'Ref / image', 'By', { label: 'Took', numeric: true }, 'Made']}
          items={runs.value}
          empty="No runs yet."
        >
          {(run) => {
            const made = Object.entries(revisions).flatMap(([role, list]) =>
              list.filter((r) => revisionFromRun(r, run)).map((r) => ({ role, r })),
            );
            return (
              <tr
                key={run.id}
                id={`run-${run.id}`}
                data-run={run.id}
                aria-selected={run.id === selected}
                className="aria-selected:bg-sky-50 dark:aria-selected:bg-sky-950"
              >
                <td className={td}>
                  <Link
                    href={`${basePath}?run=${run.id}`}
                    scroll={false}
                    className="font-medium underline-offset-2 hover:underline"
                  >
                    #{run.runNumber ?? run.id}
                  </Link>{' '}
                  <a
                    href={run.url}
                    className="text-xs text-sky-700 underline-offset-2 hover:underline dark:text-sky-300"
                  >
                    GitHub ↗
                  </a>
                </td>
                <td className={td}>
                  <Badge tone={resultTone(run.status, run.conclusion)}>
                    {run.status === 'completed' ? run.conclusion : run.status}
                  </Badge>
                </td>
                <td className={`${td} font-mono text-xs`}>
                  {run.ref ?? run.sha.slice(0, 7)}
                  {run.imageTag && <span className={`block ${MUTED}`}>{run.imageTag.slice(0, 12)}</span>}
                </td>
                <td className={td}>{run.actor ?? '—'}</td>
                <td className={tdNum}>{duration(run.durationMs)}</td>
                <td className={`${td} text-xs`}>
                  {made.length === 0
                    ? '—'
                    : made.map(({ role, r }) => (
                        <a
                          key={r.arn}
                          href={`#revision-${role}-${r.revision}`}
                          className="mr-2 font-mono underline-offset-2 hover:underline"
                        >
                          {role}:{r.revision}
                        </a>
                      ))}
                </td>
              </tr>
            );
          }}
        </ListTable>
      )}
    </Card>
  );
}

export function RunJobsPanel({ runId, jobs }: { runId: number; jobs: PartValue<RunJob[]> }) {
  return (
    <Card title={`Jobs and steps of run ${runId}`} testId="panel-run-jobs">
      <PartProblem name="GitHub" part={jobs} />
      {jobs.value &&
        (jobs.value.length === 0 ? (
          <Empty>No jobs (yet).</Empty>
        ) : (
          <ul className="divide-y divide-slate-100 dark:divide-slate-800">
            {jobs.value.map((job) => (
              <li key={job.id} className="px-4 py-2 text-sm" data-run-job={job.name}>
                <p className="flex flex-wrap items-center gap-2 font-medium">
                  {job.name}{' '}
                  <Badge tone={resultTone(job.status, job.conclusion)}>
                    {job.status === 'completed' ? job.conclusion : job.status}
                  </Badge>
                </p>
                <ol className="mt-1 space-y-0.5 text-xs text-slate-700 dark:text-slate-300">
                  {job.steps.map((step) => (
                    <li key={step.number}>
                      {step.number}. {step.name} — {step.status === 'completed' ? step.conclusion : step.status}
                    </li>
                  ))}
                </ol>
              </li>
            ))}
          </ul>
        ))}
    </Card>
  );
}

export function EcsDeploymentsPanel({ revisions }: { revisions: Revisions }) {
  const ecs = useSnapshotPart('ecs');
  const runs = useSnapshotPart('deployRuns').value ?? [];
  return (
    <Card title="ECS deployments" testId="panel-ecs-deployments">
      <PartProblem name="ECS" part={ecs} />
      {ecs.value?.services.map((service) => (
        <div key={service.arn} className="px-4 py-2 text-sm">
          <p className="font-medium">{service.role}</p>
          <ul className="space-y-1">
            {service.deployments.map((d) => {
              const revision = revisions[service.role]?.find((r) => r.revision === d.taskDefinition?.revision);
              const run = revision ? runs.find((candidate) => revisionFromRun(revision, candidate)) : undefined;
              return (
                <li
                  key={d.id}
                  id={revision ? `revision-${service.role}-${revision.revision}` : undefined}
                  className="flex flex-wrap items-center gap-2"
                  data-deployment={d.id}
                >
                  <Badge tone={d.status === 'PRIMARY' ? 'info' : 'neutral'}>{d.status.toLowerCase()}</Badge>
                  <span className="font-mono text-xs">:{d.taskDefinition?.revision ?? '—'}</span>
                  <span className={`font-mono text-xs ${MUTED}`}>
                    {revision?.containers[0]?.tag?.slice(0, 12) ?? ''}
                  </span>
                  <span className="tabular-nums">
                    {d.runningCount}/{d.desiredCount}
                  </span>
                  {d.rolloutState && <RolloutBadge state={d.rolloutState} />}
                  <RelativeTime iso={d.createdAt} />
                  {run && (
                    <a href={`#run-${run.id}`} className="text-xs underline-offset-2 hover:underline">
                      from run #{run.runNumber ?? run.id}
                    </a>
                  )}
                </li>
              );
            })}
          </ul>
        </div>
      ))}
    </Card>
  );
}
