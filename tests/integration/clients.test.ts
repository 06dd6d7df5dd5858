import { ECSClient } from '@aws-sdk/client-ecs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { clientFor } from '@/lib/aws/clients';
import { describeEnvironmentServices } from '@/lib/aws/ecs';
import { EMULATOR_CREDENTIALS } from '../../scripts/platform';
import { seededEnvironment } from '../support/aws';

async function stsCalls(): Promise<number> {
  const res = await fetch(`${inject('emulatorUrl')}/_pilothouse/requests`);
  return ((await res.json()) as { byService: Record<string, number> }).byService.sts ?? 0;
}

beforeAll(() => {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: inject('emulatorUrl'),
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
  });
});

describe('lib/aws/clients', () => {
  it('reuses one client per service, region and role', () => {
    const staging = seededEnvironment('staging');
    const production = seededEnvironment('production');
    expect(clientFor(ECSClient, staging)).toBe(clientFor(ECSClient, { ...staging, name: 'other' }));
    expect(clientFor(ECSClient, staging)).not.toBe(clientFor(ECSClient, production));
  });

  it("assumes the environment's role through STS, once, and reads with those credentials", async () => {
    const env = {
      ...seededEnvironment('production'),
      aws: { region: 'us-east-1', roleArn: 'arn:aws:iam::123456789012:role/pilothouse-control-plane' },
    };
    const before = await stsCalls();

    const first = await describeEnvironmentServices(env);
    const second = await describeEnvironmentServices(env);

    expect(first.services.map((s) => s.role)).toEqual(['api', 'worker']);
    expect(second.services).toHaveLength(2);
    expect((await stsCalls()) - before).toBe(1); // credentials cached until they near expiry
  });
});
