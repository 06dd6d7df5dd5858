import 'server-only';
import { awsCredentialSource, getConfig, missingProductionSettings } from './config';
import { loadRegistry } from './environments';

/**
 * Everything a server must have before it serves, checked once at start (instrumentation.ts):
 * the environment variables, the registry, the production secrets, and a role for every
 * environment where Vercel's OIDC token is the only credential. Returns each problem by name;
 * empty when the server may start.
 */
export function startupProblems(): string[] {
  let config;
  try {
    config = getConfig();
  } catch (err) {
    return [(err as Error).message];
  }
  const problems = missingProductionSettings(config).map((name) => `${name} is not set (required in production)`);
  try {
    const registry = loadRegistry();
    if (awsCredentialSource(config) === 'vercel-oidc') {
      registry.environments.forEach((env, i) => {
        if (!env.aws.roleArn)
          problems.push(`environments[${i}].aws.roleArn: required with Vercel OIDC credentials (there are no others)`);
      });
    }
  } catch (err) {
    problems.push((err as Error).message);
  }
  return problems;
}
