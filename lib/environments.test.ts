import { describe, expect, it } from 'vitest';
import { parseRegistry, RegistryError } from './environments';

function validEnvironment(name = 'staging') {
  return {
    name,
    production: false,
    aws: { region: 'eu-west-1' },
    ecs: { cluster: `pilothouse-${name}`, services: { api: 'api', worker: 'worker' } },
    alb: {
      loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/p/1',
      targetGroupArns: { api: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/p-api/2' },
    },
    ecr: { repositories: { api: 'p/api', worker: 'p/worker' } },
    ssm: { prefix: `/pilothouse/${name}/` },
    queues: { names: ['screenshot'], redisUrl: 'rediss://default:secret@example.upstash.io:6379' },
    github: { owner: 'o', repo: 'r', deployWorkflow: 'deploy.yml' },
  };
}

const parse = (value: unknown) => parseRegistry(JSON.stringify(value), 'registry.json');

describe('parseRegistry', () => {
  it('accepts a complete registry and fills defaults', () => {
    const env = validEnvironment();
    delete (env as Partial<typeof env>).production;
    const registry = parse({ environments: [env] });
    expect(registry.environments[0].production).toBe(false);
    expect(registry.environments[0].ecs.cluster).toBe('pilothouse-staging');
  });

  it('names the bad field and the source when a value is wrong', () => {
    const env = validEnvironment();
    env.aws.region = 'Europe';
    expect(() => parse({ environments: [validEnvironment('production'), env] })).toThrow(
      /registry\.json: .*environments\[1\]\.aws\.region: must be an AWS region/,
    );
  });

  it('names a missing field', () => {
    const env: Record<string, unknown> = validEnvironment();
    delete env.ecs;
    expect(() => parse({ environments: [env] })).toThrow(/environments\[0\]\.ecs: required/);
  });

  it('refuses two environments with the same name', () => {
    expect(() => parse({ environments: [validEnvironment(), validEnvironment()] })).toThrow(
      /environments\[1\]\.name: duplicate name "staging"/,
    );
  });

  it('refuses a Redis URL that is not redis:// or rediss://', () => {
    const env = validEnvironment();
    env.queues.redisUrl = 'https://example.upstash.io';
    expect(() => parse({ environments: [env] })).toThrow(/queues\.redisUrl/);
  });

  it('reports text that is not JSON as a RegistryError', () => {
    expect(() => parseRegistry('{', 'PILOTHOUSE_ENVIRONMENTS')).toThrow(RegistryError);
    expect(() => parseRegistry('{', 'PILOTHOUSE_ENVIRONMENTS')).toThrow(/PILOTHOUSE_ENVIRONMENTS: not valid JSON/);
  });

  it('needs at least one environment', () => {
    expect(() => parse({ environments: [] })).toThrow(/at least one environment/);
  });
});
