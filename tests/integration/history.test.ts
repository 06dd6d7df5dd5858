/**
 * Stopped tasks remembered for 30 days: the emulator sends ECS's "Task State Change" and
 * "Deployment State Change" events through moto's EventBridge, whose rules (made by the seed as
 * the Terraform makes them) deliver them to the cluster's events log group; lib/ecs-history.ts
 * reads them back. A deploy of a task definition whose container is killed (exit 137) fails and
 * rolls back; once ECS has forgotten its stopped tasks (what an hour does), the history still
 * has each one, with its exit code, revision and deployment.
 *
 * Changes staging's worker service: it runs in the shared-state project, one file at a time.
 */
import {
  DescribeServicesCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { listStoppedTasks } from '@/lib/aws/ecs';
import { readEnvironmentHistory } from '@/lib/ecs-history';
import { stopsPerDay } from '@/model/history';
import {
  control,
  emulatorClientConfig,
  eventually,
  pointDataLayerAtLocalPlatform,
  seededEnvironment,
} from '../support/aws';

describe('the 30-day history of stopped tasks and deployments', () => {
  it('keeps a killed task’s exit code, revision and deployment after ECS forgets it', async () => {
    const github = await pointDataLayerAtLocalPlatform('ghs_history');
    const env = seededEnvironment('staging');
    const ecs = new ECSClient(emulatorClientConfig(env.aws.region));
    try {
      const { cluster, services } = env.ecs;
      const before = (await ecs.send(new DescribeServicesCommand({ cluster, services: [services.worker] })))
        .services![0];
      const { taskDefinitionArns = [] } = await ecs.send(
        new ListTaskDefinitionsCommand({ familyPrefix: `${cluster}-worker`, sort: 'DESC' }),
      );
      const bad = taskDefinitionArns.find((arn) => arn !== before.taskDefinition)!;
      await control('ecs/failing-task-definition', {
        taskDefinitionArn: bad,
        exitCode: 137,
        reason: 'OutOfMemoryError: Container killed due to memory usage',
        stoppedReason: 'Essential container in task exited',
      });
      try {
        await ecs.send(new UpdateServiceCommand({ cluster, service: services.worker, taskDefinition: bad }));
        // The circuit breaker fails the deploy and rolls back to the revision that ran.
        const rolledBack = await eventually(
          () => ecs.send(new DescribeServicesCommand({ cluster, services: [services.worker] })),
          (out) =>
            out.services![0].taskDefinition === before.taskDefinition &&
            out.services![0].deployments!.length === 1 &&
            out.services![0].deployments![0].rolloutState === 'COMPLETED',
        );
        expect(rolledBack.services![0].deployments![0].id).not.toBe(before.deployments![0].id);
      } finally {
        await control('ecs/failing-task-definition', { taskDefinitionArn: bad, failing: false });
      }

      const killed = (await listStoppedTasks(env, services.worker)).filter((t) => t.taskDefinition?.arn === bad);
      expect(killed.length).toBeGreaterThanOrEqual(3); // ECS's threshold for a desired count of 1
      // An hour later, as far as ECS is concerned.
      await control('ecs/forget-stopped-tasks');
      expect(await listStoppedTasks(env, services.worker)).toEqual([]);

      const history = await eventually(
        () => readEnvironmentHistory(env),
        (h) => killed.every((k) => h.stops.some((s) => s.taskId === k.id)),
      );
      for (const task of killed) {
        const stop = history.stops.find((s) => s.taskId === task.id)!;
        expect(stop).toMatchObject({
          role: 'worker',
          taskDefinition: { arn: bad, revision: task.taskDefinition!.revision },
          deploymentId: task.deploymentId,
          stopCode: 'EssentialContainerExited',
          stoppedReason: 'Essential container in task exited',
          containers: [
            { name: 'worker', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' },
          ],
        });
      }
      // Newest first, and the day's trend counts them as killed.
      const times = history.stops.map((s) => Date.parse(s.stoppedAt));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      const today = stopsPerDay(
        history.stops.filter((s) => s.role === 'worker'),
        Date.now(),
      ).at(-1)!;
      expect(today.counts.oom).toBeGreaterThanOrEqual(killed.length);

      // The deployment's own events: it started, failed, and the rollback completed.
      const failedDeployment = killed[0].deploymentId!;
      const names = history.deployments.filter((d) => d.deploymentId === failedDeployment).map((d) => d.eventName);
      expect(names).toEqual(expect.arrayContaining(['SERVICE_DEPLOYMENT_IN_PROGRESS', 'SERVICE_DEPLOYMENT_FAILED']));
      expect(history.deployments.find((d) => d.eventName === 'SERVICE_DEPLOYMENT_FAILED')).toMatchObject({
        role: 'worker',
        eventType: 'ERROR',
      });
      expect(history.deployments[0]).toMatchObject({ role: 'worker', eventName: 'SERVICE_DEPLOYMENT_COMPLETED' });
    } finally {
      ecs.destroy();
      await github.close();
    }
  });
});
