'use client';
/** The service page's panels: its deployments and events (live), running tasks and revisions. */
import type { ServiceRole } from '@/contracts/platform';
import { logsHref } from '@/model/log-links';
import type { StoppedTask, Task, TaskDefinitionRevision } from '@/model/schemas/ecs';
import { containerOutcome, deploymentFailures, stoppedByScheduler } from '@/model/task-failures';
import { RollbackAction, ServiceActions, type ActionTarget } from './actions/lazy';
import { useSnapshotPart } from './live/live-environment';
import { PartProblem, type PartValue } from './live/part-problem';
import { RelativeTime } from './time';
import { Badge, Card, Empty, Table, td, tdNum, RolloutBadge, MUTED, TableHead, ListTable, TextLink } from './ui';

export function ServiceSummaryPanel({
  env,
  role,
  operator,
  stoppedTasks,
}: {
  env: string;
  role: ServiceRole;
  operator: ActionTarget | null;
  stoppedTasks: StoppedTask[];
}) {
  const ecs = useSnapshotPart('ecs');
  const scaling = useSnapshotPart('scaling').value?.[role];
  const service = ecs.value?.services.find((s) => s.role === role);
  const bounds: [number, number] | null =
    scaling?.minCapacity != null && scaling.maxCapacity != null ? [scaling.minCapacity, scaling.maxCapacity] : null;
  return (
    <Card
      title="Deployments"
      testId="panel-deployments"
      actions={
        operator &&
        service && <ServiceActions target={operator} service={role} desired={service.desiredCount} bounds={bounds} />
      }
    >
      <PartProblem name="ECS" part={ecs} />
      {!service ? (
        ecs.value && <Empty>{role} is not in the cluster.</Empty>
      ) : (
        <div className="space-y-3 px-4 py-3 text-sm">
          <p className="tabular-nums" data-testid="service-counts">
            <span data-count="running">{service.runningCount}</span> running of{' '}
            <span data-count="desired">{service.desiredCount}</span> desired
            {service.pendingCount > 0 && <>, {service.pendingCount} pending</>}
            {scaling && (
              <span className={`${MUTED}`}>
                {' '}
                · bounds {scaling.minCapacity}–{scaling.maxCapacity}
              </span>
            )}
          </p>
          <Table caption={`${role} deployments`}>
            <TableHead
              columns={[
                'Deployment',
                'Status',
                'Revision',
                { label: 'Running', numeric: true },
                { label: 'Failed', numeric: true },
                'Rollout',
                'Started',
              ]}
            />
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {service.deployments.map((d) => (
                <tr key={d.id} data-deployment={d.id}>
                  <td className={`${td} font-mono text-xs`}>
                    {d.id}
                    <TextLink
                      href={logsHref(env, role, { deployment: d.id })}
                      className="ml-2 font-sans"
                      aria-label={`Logs of deployment ${d.id}`}
                    >
                      logs
                    </TextLink>
                  </td>
                  <td className={td}>{d.status.toLowerCase()}</td>
                  <td className={`${td} font-mono text-xs`}>
                    {d.taskDefinition ? `:${d.taskDefinition.revision}` : '—'}
                  </td>
                  <td className={tdNum}>
                    {d.runningCount}/{d.desiredCount}
                  </td>
                  <td className={tdNum}>{d.failedTasks}</td>
                  <td className={td}>
                    {d.rolloutState ? <RolloutBadge state={d.rolloutState} /> : '—'}
                    {d.rolloutStateReason && <span className={`block text-xs ${MUTED}`}>{d.rolloutStateReason}</span>}
                    <DeploymentFailures stopped={stoppedTasks} deploymentId={d.id} />
                  </td>
                  <td className={td}>
                    <RelativeTime iso={d.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
          <h3 className="font-medium">Events</h3>
          <ul className="space-y-1 text-xs text-slate-700 dark:text-slate-300" data-testid="service-events">
            {service.events.map((e) => (
              <li key={e.id}>
                <RelativeTime iso={e.createdAt} /> · {e.message}
              </li>
            ))}
            {service.events.length === 0 && <li>No events.</li>}
          </ul>
        </div>
      )}
    </Card>
  );
}

/** The task failures that count toward a deployment's circuit breaker, grouped by why. */
function DeploymentFailures({ stopped, deploymentId }: { stopped: StoppedTask[]; deploymentId: string }) {
  const groups = deploymentFailures(stopped, deploymentId);
  if (groups.length === 0) return null;
  return (
    <ul className="mt-1 space-y-0.5 text-xs text-red-800 dark:text-red-300" data-testid="deployment-failures">
      {groups.map((g) => (
        <li key={`${g.reason} ${g.outcome}`}>
          <span className="font-medium tabular-nums">{g.count}×</span> {g.reason}
          {g.outcome && (
            <>
              {' '}
              · <span className="font-mono">{g.outcome}</span>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

/** Each deployment whose tasks failed (still listed by ECS or already rolled back), with why. */
function FailedDeployments({ stopped }: { stopped: StoppedTask[] }) {
  const deployments = [
    ...new Map(
      stopped.filter((t) => !stoppedByScheduler(t) && t.deploymentId).map((t) => [t.deploymentId!, t]),
    ).values(),
  ];
  if (deployments.length === 0) return null;
  return (
    <div className="space-y-2 border-b border-slate-200 px-4 py-3 text-sm dark:border-slate-800">
      {deployments.map((t) => (
        <div key={t.deploymentId} data-failed-deployment={t.deploymentId}>
          <p>
            Deployment <span className="font-mono text-xs">{t.deploymentId}</span>
            {t.taskDefinition && (
              <>
                {' '}
                of <span className="font-mono text-xs">:{t.taskDefinition.revision}</span>
              </>
            )}
            : tasks failed
          </p>
          <DeploymentFailures stopped={stopped} deploymentId={t.deploymentId!} />
        </div>
      ))}
    </div>
  );
}

/** Shown per page: the newest stopped tasks, failures and scheduler stops alike. */
const STOPPED_TASKS_SHOWN = 20;

export function StoppedTasksPanel({
  env,
  role,
  stopped,
}: {
  env: string;
  role: ServiceRole;
  stopped: PartValue<StoppedTask[]>;
}) {
  const failures = (stopped.value ?? []).filter((t) => !stoppedByScheduler(t)).length;
  return (
    <Card
      title="Recently stopped tasks"
      testId="panel-stopped-tasks"
      actions={stopped.value && failures > 0 && <Badge tone="bad">{failures} failed</Badge>}
    >
      <PartProblem name="ECS stopped tasks" part={stopped} />
      {stopped.value && <FailedDeployments stopped={stopped.value} />}
      {stopped.value &&
        (stopped.value.length === 0 ? (
          <Empty>No task stopped in the last hour.</Empty>
        ) : (
          <Table caption="Recently stopped tasks">
            <TableHead columns={['Task', 'Revision', 'Deployment', 'Stopped', 'Why', 'Containers']} />
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {stopped.value.slice(0, STOPPED_TASKS_SHOWN).map((t) => {
                const failed = !stoppedByScheduler(t);
                return (
                  <tr key={t.arn} data-stopped-task={t.id} data-failed={failed}>
                    <td className={`${td} font-mono text-xs`}>
                      {/* Its last lines first: the logs around the moment it stopped. */}
                      <TextLink
                        href={logsHref(env, role, { task: t.id, at: t.stoppedAt ?? undefined })}
                        title={`Logs of task ${t.id}, around its stop`}
                      >
                        {t.id.slice(0, 12)}
                      </TextLink>
                    </td>
                    <td className={`${td} font-mono text-xs`}>
                      {t.taskDefinition ? `:${t.taskDefinition.revision}` : '—'}
                    </td>
                    <td className={`${td} font-mono text-xs`}>{t.deploymentId ?? '—'}</td>
                    <td className={td}>
                      <RelativeTime iso={t.stoppedAt} />
                    </td>
                    <td className={td}>
                      <Badge tone={failed ? 'bad' : 'neutral'}>{failed ? 'failed' : 'replaced'}</Badge>{' '}
                      <span data-testid="stopped-reason">{t.stoppedReason ?? '—'}</span>
                      {t.stopCode && <span className={`block font-mono text-xs ${MUTED}`}>{t.stopCode}</span>}
                    </td>
                    <td className={`${td} font-mono text-xs`} data-testid="container-outcome">
                      {containerOutcome(t) || '—'}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        ))}
    </Card>
  );
}

export function TasksPanel({ env, role, tasks }: { env: string; role: ServiceRole; tasks: PartValue<Task[]> }) {
  return (
    <Card title="Running tasks" testId="panel-tasks">
      <PartProblem name="ECS tasks" part={tasks} />
      {tasks.value && (
        <ListTable
          caption="Running tasks"
          columns={['Task', 'Revision', 'Health', 'Started', 'IP']}
          items={tasks.value}
          empty="No running tasks."
        >
          {(t) => (
            <tr key={t.arn} data-task={t.id}>
              <td className={`${td} font-mono text-xs`}>
                <TextLink href={logsHref(env, role, { task: t.id })} title={`Logs of task ${t.id}`}>
                  {t.id.slice(0, 12)}
                </TextLink>
              </td>
              <td className={`${td} font-mono text-xs`}>{t.taskDefinition ? `:${t.taskDefinition.revision}` : '—'}</td>
              <td className={td}>
                <Badge
                  tone={t.healthStatus === 'HEALTHY' ? 'good' : t.healthStatus === 'UNHEALTHY' ? 'bad' : 'neutral'}
                >
                  {(t.healthStatus ?? 'unknown').toLowerCase()}
                </Badge>
              </td>
              <td className={td}>
                <RelativeTime iso={t.startedAt} />
              </td>
              <td className={`${td} font-mono text-xs`}>{t.privateIp ?? '—'}</td>
            </tr>
          )}
        </ListTable>
      )}
    </Card>
  );
}

export function RevisionsPanel({
  revisions,
  role,
  operator,
  initialRevision,
}: {
  revisions: PartValue<TaskDefinitionRevision[]>;
  role: ServiceRole;
  operator: ActionTarget | null;
  /** The revision to preselect (a diagnosis's rollback offer). */
  initialRevision?: number;
}) {
  const current = useSnapshotPart('ecs').value?.services.find((s) => s.role === role)?.taskDefinition?.revision;
  const images = useSnapshotPart('images').value?.[role]?.images;
  const running = (revisions.value ?? []).find((r) => r.revision === current) ?? null;
  const earlier = (revisions.value ?? []).filter((r) => r.revision !== current);
  // ECR's digest per tag, for revisions that name their image by tag (the rollback preview compares digests).
  const digests = Object.fromEntries((images ?? []).flatMap((image) => image.tags.map((tag) => [tag, image.digest])));
  return (
    <Card title="Task definition revisions (what a rollback goes back to)" testId="panel-revisions">
      {operator && earlier.length > 0 && (
        <div className="border-b border-slate-200 px-4 py-3 dark:border-slate-800">
          <RollbackAction
            target={operator}
            service={role}
            current={running}
            revisions={earlier}
            digests={digests}
            initialRevision={initialRevision}
          />
        </div>
      )}
      <PartProblem name="ECS task definitions" part={revisions} />
      {revisions.value && (
        <Table caption="Task definition revisions">
          <TableHead columns={['Revision', 'Image tag', 'CPU / memory', 'Registered']} />
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {revisions.value.map((r) => (
              <tr key={r.arn} data-revision={r.revision}>
                <td className={`${td} font-mono text-xs`}>
                  {r.family}:{r.revision} {r.revision === current && <Badge tone="info">running</Badge>}
                </td>
                <td className={`${td} font-mono text-xs`} title={r.containers.map((c) => c.image).join('\n')}>
                  {r.containers
                    .map((c) => (c.tag && /^[0-9a-f]{40}$/.test(c.tag) ? c.tag.slice(0, 12) : (c.tag ?? c.image)))
                    .join(', ')}
                </td>
                <td className={td}>
                  {r.cpu ?? '—'} / {r.memory ?? '—'}
                </td>
                <td className={td}>
                  <RelativeTime iso={r.registeredAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </Card>
  );
}
