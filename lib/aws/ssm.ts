import 'server-only';
import { paginateDescribeParameters, SSMClient } from '@aws-sdk/client-ssm';
import type { Environment } from '../environments';
import { SSM_PARAMETER_KEYS } from '../../contracts/platform';
import { clientFor } from './clients';
import { awsCall } from './errors';
import { ParameterStatusSchema, type ParameterStatus } from '../../model/schemas/ssm';

export function ssmClient(env: Environment): SSMClient {
  return clientFor(SSMClient, env);
}

/** Every expected parameter of the environment, present or missing, from DescribeParameters alone. */
export async function describeParameters(
  env: Environment,
  client: SSMClient = ssmClient(env),
): Promise<ParameterStatus[]> {
  const found = new Map<string, { Type?: string; Version?: number; LastModifiedDate?: Date }>();
  await awsCall('SSM', 'DescribeParameters', async () => {
    for await (const page of paginateDescribeParameters(
      { client },
      { ParameterFilters: [{ Key: 'Name', Option: 'BeginsWith', Values: [env.ssm.prefix] }], MaxResults: 50 },
    )) {
      for (const p of page.Parameters ?? []) if (p.Name) found.set(p.Name, p);
    }
  });
  return SSM_PARAMETER_KEYS.map((key) => {
    const name = `${env.ssm.prefix}${key}`;
    const p = found.get(name);
    return ParameterStatusSchema.parse({
      key,
      name,
      present: Boolean(p),
      type: p?.Type ?? null,
      version: p?.Version ?? null,
      lastModified: p?.LastModifiedDate?.toISOString() ?? null,
    });
  });
}
