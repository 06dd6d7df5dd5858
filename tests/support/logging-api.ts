/**
 * The built `api`, standing in for one of staging's running api tasks in the e2e platform and
 * shipping what it writes into the emulator's CloudWatch Logs as the awslogs driver would:
 * the real lines the logs pages show.
 */
import { readFileSync } from 'node:fs';
import {
  EMULATOR_CREDENTIALS,
  artifactsBucket,
  SEEDED,
  buildServices,
  startApi,
  taskLogDestination,
  type ServiceProcess,
} from '../../scripts/platform';

/** Where the api runs: the global setup's platform unless a spec has its own. */
export type LoggingApiPlatform = { emulatorUrl: string; registryFile: string };
const globalPlatform = (): LoggingApiPlatform => ({
  emulatorUrl: process.env.PILOTHOUSE_E2E_EMULATOR_URL!,
  registryFile: process.env.PILOTHOUSE_E2E_REGISTRY_FILE!,
});

export function stagingRedisUrl(registryFile = globalPlatform().registryFile): string {
  const registry = JSON.parse(readFileSync(registryFile, 'utf8')) as {
    environments: { name: string; queues: { redisUrl: string } }[];
  };
  return registry.environments.find((e) => e.name === 'staging')!.queues.redisUrl;
}

export async function startLoggingApi(
  platform: LoggingApiPlatform = globalPlatform(),
): Promise<ServiceProcess & { url: string; taskId: string }> {
  await buildServices();
  const logs = await taskLogDestination({
    emulatorUrl: platform.emulatorUrl,
    region: SEEDED.staging.region,
    cluster: 'pilothouse-staging',
    role: 'api',
  });
  const api = await startApi(
    {
      REDIS_URL: stagingRedisUrl(platform.registryFile),
      ARTIFACTS_BUCKET: artifactsBucket('staging'),
      AWS_REGION: SEEDED.staging.region,
      AWS_ENDPOINT_URL: platform.emulatorUrl,
      AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
      API_KEYS: 'e2e:logs-e2e-key-0123456789',
    },
    { logs },
  );
  return { ...api, taskId: logs.taskId };
}
