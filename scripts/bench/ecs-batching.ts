/**
 * `npm run bench`: measured figures for the control plane's read path, printed as ratios.
 * Runs against the local platform (redis-server + the AWS emulator), started and stopped here.
 *
 * Runs with the `react-server` condition, so lib's `server-only` guard resolves as on the server.
 *
 * 1. ECS batching: describing N services with DescribeServices in batches of 10 (lib/aws/ecs)
 *    versus one call per service, same services, same emulator.
 */
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { describeServices } from '../../lib/aws/ecs';
import { parseRegistry } from '../../lib/environments';
import { EMULATOR_CREDENTIALS, type RunningServer } from '../platform/local-platform';
import { record } from './report';

const SERVICES = 23;
const ROUNDS = 20;

export async function benchEcsBatching(emulator: RunningServer) {
  const ecs = new ECSClient({ region: 'us-east-1', endpoint: emulator.url, credentials: EMULATOR_CREDENTIALS });
  let calls = 0;
  ecs.middlewareStack.add(
    (next) => (args) => {
      calls++;
      return next(args);
    },
    { step: 'initialize' },
  );

  await ecs.send(new CreateClusterCommand({ clusterName: 'bench' }));
  const td = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'bench',
      containerDefinitions: [{ name: 'app', image: 'app', memory: 128 }],
    }),
  );
  const names = Array.from({ length: SERVICES }, (_, i) => `svc-${i}`);
  for (const serviceName of names) {
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'bench',
        serviceName,
        taskDefinition: td.taskDefinition!.taskDefinitionArn,
        desiredCount: 1,
      }),
    );
  }

  const measure = async (label: string, read: () => Promise<unknown>) => {
    calls = 0;
    const started = performance.now();
    for (let i = 0; i < ROUNDS; i++) await read();
    const ms = (performance.now() - started) / ROUNDS;
    return { label, callsPerRead: calls / ROUNDS, msPerRead: ms };
  };
  const env = parseRegistry(JSON.stringify({ environments: [benchEnvironment()] }), 'bench').environments[0];
  const batched = await measure('lib/aws/ecs (batched)', () => describeServices(env, names, ecs));
  const perService = await measure('one call per service', () =>
    Promise.all(names.map((n) => ecs.send(new DescribeServicesCommand({ cluster: 'bench', services: [n] })))),
  );

  console.log(`\nECS: describe ${SERVICES} services, mean of ${ROUNDS} reads against the local emulator`);
  for (const r of [batched, perService]) {
    console.log(
      `  ${r.label.padEnd(24)} ${String(r.callsPerRead).padStart(3)} calls/read  ${r.msPerRead.toFixed(1).padStart(7)} ms/read`,
    );
  }
  console.log(
    `  ratio per-service / batched: ${(perService.callsPerRead / batched.callsPerRead).toFixed(1)}x calls, ${(perService.msPerRead / batched.msPerRead).toFixed(1)}x time`,
  );
  record({
    group: `ECS, ${SERVICES} services`,
    figure: 'DescribeServices calls per read (batched by 10)',
    value: batched.callsPerRead,
    unit: 'calls',
    ratio: perService.callsPerRead / batched.callsPerRead,
    ratioOf: 'one call per service / batched',
  });
  record({
    group: `ECS, ${SERVICES} services`,
    figure: 'time per read (batched)',
    value: batched.msPerRead,
    unit: 'ms',
    ratio: perService.msPerRead / batched.msPerRead,
    ratioOf: 'one call per service / batched',
  });
}

function benchEnvironment() {
  const arn = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:';
  return {
    name: 'bench',
    aws: { region: 'us-east-1' },
    ecs: { cluster: 'bench', services: { api: 'svc-0', worker: 'svc-1' } },
    alb: { loadBalancerArn: `${arn}loadbalancer/app/bench/1`, targetGroupArns: { api: `${arn}targetgroup/bench/1` } },
    ecr: { repositories: { api: 'bench/api', worker: 'bench/worker' } },
    ssm: { prefix: '/pilothouse/bench/' },
    queues: { names: ['bench'], redisUrl: 'redis://127.0.0.1:6379' },
    github: { owner: 'o', repo: 'r', deployWorkflow: 'deploy.yml' },
  };
}
