/**
 * Why a deployment's tasks failed, from its stopped tasks: pure, so the service page's
 * client components use it too. ECS's circuit breaker counts the tasks that stopped without
 * the scheduler asking (stop codes other than ServiceSchedulerInitiated / UserInitiated).
 */
import type { StoppedTask } from './schemas/ecs';

export function stoppedByScheduler(task: StoppedTask): boolean {
  return task.stopCode === 'ServiceSchedulerInitiated' || task.stopCode === 'UserInitiated';
}

/** "app exited 1: OutOfMemoryError" for each container that ended with a code or a reason. */
export function containerOutcome(task: Pick<StoppedTask, 'containers'>): string {
  return task.containers
    .filter((c) => c.exitCode !== null || c.reason)
    .map(
      (c) => `${c.name} ${c.exitCode !== null ? `exited ${c.exitCode}` : 'stopped'}${c.reason ? `: ${c.reason}` : ''}`,
    )
    .join('; ');
}

export type FailureGroup = { reason: string; outcome: string; count: number; lastAt: string | null };

/** A deployment's failed tasks grouped by stop reason and container outcome, largest group first. */
export function deploymentFailures(stopped: StoppedTask[], deploymentId: string): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const task of stopped) {
    if (task.deploymentId !== deploymentId || stoppedByScheduler(task)) continue;
    const reason = task.stoppedReason ?? task.stopCode ?? 'stopped';
    const outcome = containerOutcome(task);
    const key = `${reason}\u0000${outcome}`;
    const group = groups.get(key) ?? { reason, outcome, count: 0, lastAt: null };
    group.count += 1;
    if (task.stoppedAt && (!group.lastAt || task.stoppedAt > group.lastAt)) group.lastAt = task.stoppedAt;
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}
