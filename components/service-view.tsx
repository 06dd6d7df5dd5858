'use client';
/** The service page's panels: its deployments and events (live), running tasks and revisions. */
import type { ServiceRole } from '@/lib/platform';
import type { Task, TaskDefinitionRevision } from '@/lib/schemas/ecs';
import { RollbackAction, ServiceActions, type ActionTarget } from './actions/lazy';
import { useSnapshotPart } from './live/live-environment';
import { PartProblem, type PartValue } from './live/part-problem';
import { RelativeTime } from './time';
import { Badge, Card, Empty, Table, td, tdNum, th, thNum, type Tone } from './ui';

const ROLLOUT_TONE: Record<string, Tone> = { COMPLETED: 'good', IN_PROGRESS: 'info', FAILED: 'bad' };

export function ServiceSummaryPanel({ role, operator }: { role: ServiceRole; operator: ActionTarget | null }) {
  const ecs = useSnapshotPart('ecs');
  const scaling = useSnapshotPart('scaling').value?.[role];
  const service = ecs.value?.services.find((s) => s.role === role);
  const bounds: [number, number] | null = scaling?.minCapacity != null && scaling.maxCapacity != null ? [scaling.minCapacity, scaling.maxCapacity] : null;
  return (
    <Card title="Deployments" testId="panel-deployments" actions={operator && service && <ServiceActions target={operator} service={role} desired={service.desiredCount} bounds={bounds} />}>
      <PartProblem name="ECS" part={ecs} />
      {!service ? (
        ecs.value && <Empty>{role} is not in the cluster.</Empty>
      ) : (
        <div className="space-y-3 px-4 py-3 text-sm">
          <p className="tabular-nums" data-testid="service-counts">
            <span data-count="running">{service.runningCount}</span> running of <span data-count="desired">{service.desiredCount}</span> desired
            {service.pendingCount > 0 && <>, {service.pendingCount} pending</>}
            {scaling && <span className="text-slate-600 dark:text-slate-400"> · bounds {scaling.minCapacity}–{scaling.maxCapacity}</span>}
          </p>
          <Table caption={`${role} deployments`}>
            <thead><tr><th scope="col" className={th}>Deployment</th><th scope="col" className={th}>Status</th><th scope="col" className={th}>Revision</th><th scope="col" className={thNum}>Running</th><th scope="col" className={thNum}>Failed</th><th scope="col" className={th}>Rollout</th><th scope="col" className={th}>Started</th></tr></thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {service.deployments.map((d) => (
                <tr key={d.id} data-deployment={d.id}>
                  <td className={`${td} font-mono text-xs`}>{d.id}</td>
                  <td className={td}>{d.status.toLowerCase()}</td>
                  <td className={`${td} font-mono text-xs`}>{d.taskDefinition ? `:${d.taskDefinition.revision}` : '—'}</td>
                  <td className={tdNum}>{d.runningCount}/{d.desiredCount}</td>
                  <td className={tdNum}>{d.failedTasks}</td>
                  <td className={td}>{d.rolloutState ? <Badge tone={ROLLOUT_TONE[d.rolloutState]}>{d.rolloutState.replace('_', ' ').toLowerCase()}</Badge> : '—'}{d.rolloutStateReason && <span className="block text-xs text-slate-600 dark:text-slate-400">{d.rolloutStateReason}</span>}</td>
                  <td className={td}><RelativeTime iso={d.createdAt} /></td>
                </tr>
              ))}
            </tbody>
          </Table>
          <h3 className="font-medium">Events</h3>
          <ul className="space-y-1 text-xs text-slate-700 dark:text-slate-300" data-testid="service-events">
            {service.events.map((e) => (
              <li key={e.id}><RelativeTime iso={e.createdAt} /> · {e.message}</li>
            ))}
            {service.events.length === 0 && <li>No events.</li>}
          </ul>
        </div>
      )}
    </Card>
  );
}

export function TasksPanel({ tasks }: { tasks: PartValue<Task[]> }) {
  return (
    <Card title="Running tasks" testId="panel-tasks">
      <PartProblem name="ECS tasks" part={tasks} />
      {tasks.value && (tasks.value.length === 0 ? <Empty>No running tasks.</Empty> : (
        <Table caption="Running tasks">
          <thead><tr><th scope="col" className={th}>Task</th><th scope="col" className={th}>Revision</th><th scope="col" className={th}>Health</th><th scope="col" className={th}>Started</th><th scope="col" className={th}>IP</th></tr></thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {tasks.value.map((t) => (
              <tr key={t.arn} data-task={t.id}>
                <td className={`${td} font-mono text-xs`}>{t.id.slice(0, 12)}</td>
                <td className={`${td} font-mono text-xs`}>{t.taskDefinition ? `:${t.taskDefinition.revision}` : '—'}</td>
                <td className={td}><Badge tone={t.healthStatus === 'HEALTHY' ? 'good' : t.healthStatus === 'UNHEALTHY' ? 'bad' : 'neutral'}>{(t.healthStatus ?? 'unknown').toLowerCase()}</Badge></td>
                <td className={td}><RelativeTime iso={t.startedAt} /></td>
                <td className={`${td} font-mono text-xs`}>{t.privateIp ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      ))}
    </Card>
  );
}

export function RevisionsPanel({ revisions, role, operator }: { revisions: PartValue<TaskDefinitionRevision[]>; role: ServiceRole; operator: ActionTarget | null }) {
  const current = useSnapshotPart('ecs').value?.services.find((s) => s.role === role)?.taskDefinition?.revision;
  const earlier = (revisions.value ?? []).filter((r) => r.revision !== current).map((r) => ({ revision: r.revision, label: `:${r.revision} · ${r.containers.map((c) => c.tag ?? c.image).join(', ')}` }));
  return (
    <Card title="Task definition revisions (what a rollback goes back to)" testId="panel-revisions">
      {operator && earlier.length > 0 && <div className="border-b border-slate-200 px-4 py-3 dark:border-slate-800"><RollbackAction target={operator} service={role} revisions={earlier} /></div>}
      <PartProblem name="ECS task definitions" part={revisions} />
      {revisions.value && (
        <Table caption="Task definition revisions">
          <thead><tr><th scope="col" className={th}>Revision</th><th scope="col" className={th}>Image tag</th><th scope="col" className={th}>CPU / memory</th><th scope="col" className={th}>Registered</th></tr></thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {revisions.value.map((r) => (
              <tr key={r.arn} data-revision={r.revision}>
                <td className={`${td} font-mono text-xs`}>{r.family}:{r.revision} {r.revision === current && <Badge tone="info">running</Badge>}</td>
                <td className={`${td} font-mono text-xs`}>{r.containers.map((c) => c.tag ?? c.image).join(', ')}</td>
                <td className={td}>{r.cpu ?? '—'} / {r.memory ?? '—'}</td>
                <td className={td}><RelativeTime iso={r.registeredAt} /></td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </Card>
  );
}
