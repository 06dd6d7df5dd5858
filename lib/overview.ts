import 'server-only';
import { describeEnvironmentServices, type EnvironmentServices } from './aws/ecs';
import { listEnvironments, type Environment } from './environments';
import { AppError } from './errors';

/** What the overview shows of one environment: never the Redis URL or other secrets. */
export type EnvironmentOverview = {
  name: string;
  production: boolean;
  region: string;
  cluster: string;
  ecs: EnvironmentServices | null;
  /** Set when ECS could not be read: the panel says so instead of showing nothing. */
  error: string | null;
};

export async function getOverview(): Promise<EnvironmentOverview[]> {
  return Promise.all(listEnvironments().map(getEnvironmentOverview));
}

async function getEnvironmentOverview(env: Environment): Promise<EnvironmentOverview> {
  const base = { name: env.name, production: env.production, region: env.aws.region, cluster: env.ecs.cluster };
  try {
    return { ...base, ecs: await describeEnvironmentServices(env), error: null };
  } catch (err) {
    console.error(`overview: reading ECS for ${env.name} failed`, err);
    return { ...base, ecs: null, error: err instanceof AppError ? err.message : 'Unexpected error reading ECS' };
  }
}
