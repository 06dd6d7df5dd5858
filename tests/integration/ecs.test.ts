import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { describeEnvironmentServices, describeServices } from '@/lib/aws/ecs';
import { SEEDED, TASK_DEFINITION_REVISIONS } from '../../scripts/platform';
import { countCommands, emulatorClientConfig, seededEnvironment } from '../support/aws';

describe('lib/aws/ecs against the seeded emulator', () => {
  for (const name of ['staging', 'production'] as const) {
    it(`reads ${name}'s api and worker with the seeded counts in one DescribeServices call`, async () => {
      const env = seededEnvironment(name);
      const client = new ECSClient(emulatorClientConfig(env.aws.region));
      const calls = countCommands(client);

      const { services, missing } = await describeEnvironmentServices(env, client);

      expect(missing).toEqual([]);
      expect(services.map((s) => s.role)).toEqual(['api', 'worker']);
      for (const s of services) {
        const desired = SEEDED[name].desired[s.role];
        expect(s, s.role).toMatchObject({
          desiredCount: desired,
          runningCount: desired,
          pendingCount: 0,
          launchType: 'FARGATE',
        });
        expect(s.taskDefinition).toMatchObject({
          family: `pilothouse-${name}-${s.role}`,
          revision: TASK_DEFINITION_REVISIONS,
        });
        expect(s.rolloutState).toBe('COMPLETED');
      }
      expect(Object.fromEntries(calls)).toEqual({ DescribeServicesCommand: 1 });
    });
  }

  it('reports a service the registry names but ECS does not have', async () => {
    const env = seededEnvironment('staging');
    const client = new ECSClient(emulatorClientConfig(env.aws.region));
    const renamed = { ...env, ecs: { ...env.ecs, services: { ...env.ecs.services, worker: 'no-such-worker' } } };

    const { services, missing } = await describeEnvironmentServices(renamed, client);

    expect(services.map((s) => s.role)).toEqual(['api']);
    expect(missing).toEqual(['no-such-worker']);
  });

  it('describes 23 services in 3 DescribeServices calls, never one per service', async () => {
    const env = { ...seededEnvironment('staging'), ecs: { cluster: 'batching', services: { api: 'a', worker: 'w' } } };
    const client = new ECSClient(emulatorClientConfig(env.aws.region));
    await client.send(new CreateClusterCommand({ clusterName: 'batching' }));
    const td = await client.send(
      new RegisterTaskDefinitionCommand({
        family: 'batching',
        containerDefinitions: [{ name: 'app', image: 'nginx', memory: 128 }],
      }),
    );
    const names = Array.from({ length: 23 }, (_, i) => `svc-${String(i).padStart(2, '0')}`);
    for (const serviceName of names) {
      await client.send(
        new CreateServiceCommand({
          cluster: 'batching',
          serviceName,
          taskDefinition: td.taskDefinition!.taskDefinitionArn,
          desiredCount: 1,
        }),
      );
    }
    const calls = countCommands(client);

    const { services } = await describeServices(env, names, client);

    expect(services.map((s) => s.name).sort()).toEqual(names);
    expect(calls.get('DescribeServicesCommand')).toBe(3);
  });

  it('turns an unreachable endpoint into an upstream_failed error', async () => {
    const env = seededEnvironment('staging');
    const client = new ECSClient({
      ...emulatorClientConfig(env.aws.region),
      endpoint: 'http://127.0.0.1:9',
      maxAttempts: 1,
    });
    await expect(describeEnvironmentServices(env, client)).rejects.toMatchObject({
      code: 'upstream_failed',
      message: expect.stringContaining('ECS DescribeServices failed'),
    });
  });
});
