import { describe, expect, it } from 'vitest';
import type { StoppedTask } from './schemas/ecs';
import { containerOutcome, deploymentFailures } from './task-failures';

const task = (over: Partial<StoppedTask>): StoppedTask => ({
  arn: 'arn',
  id: 'id',
  taskDefinition: null,
  deploymentId: 'ecs-svc/1',
  startedAt: null,
  stoppedAt: '2026-11-30T08:00:00.000Z',
  stopCode: 'EssentialContainerExited',
  stoppedReason: 'Essential container in task exited',
  containers: [{ name: 'app', exitCode: 1, reason: null }],
  ...over,
});

describe('deploymentFailures', () => {
  it('groups the failed tasks of one deployment by reason and outcome, and leaves out tasks the scheduler stopped', () => {
    const stopped = [
      task({ id: 'a' }),
      task({ id: 'b', stoppedAt: '2026-11-30T08:01:00.000Z' }),
      task({
        id: 'c',
        containers: [{ name: 'app', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }],
      }),
      task({
        id: 'd',
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/1)',
        containers: [{ name: 'app', exitCode: 0, reason: null }],
      }),
      task({ id: 'e', deploymentId: 'ecs-svc/2' }),
    ];
    expect(deploymentFailures(stopped, 'ecs-svc/1')).toEqual([
      {
        reason: 'Essential container in task exited',
        outcome: 'app exited 1',
        count: 2,
        lastAt: '2026-11-30T08:01:00.000Z',
      },
      {
        reason: 'Essential container in task exited',
        outcome: 'app exited 137: OutOfMemoryError: Container killed due to memory usage',
        count: 1,
        lastAt: '2026-11-30T08:00:00.000Z',
      },
    ]);
  });

  it('names a container that stopped with a reason and no exit code (it never ran)', () => {
    expect(
      containerOutcome(
        task({
          stopCode: 'TaskFailedToStart',
          containers: [
            {
              name: 'app',
              exitCode: null,
              reason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)',
            },
            { name: 'sidecar', exitCode: null, reason: null },
          ],
        }),
      ),
    ).toBe('app stopped: CannotPullContainerError: pull image manifest has been retried 5 time(s)');
  });
});
