import 'server-only';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { awsCredentialsProvider } from '@vercel/oidc-aws-credentials-provider';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { awsCredentialSource, getConfig, type AwsCredentialSource } from '../config';
import type { Environment } from '../environments';

/**
 * One SDK client per AWS service, region and role, reused for the life of the process
 * (each client holds a connection pool and a credentials cache).
 */
type ClientConstructor<C> = new (config: {
  region: string;
  endpoint?: string;
  retryMode: string;
  maxAttempts: number;
  requestHandler: { connectionTimeout: number; requestTimeout: number };
  credentials?: AwsCredentialIdentityProvider;
}) => C;

/**
 * Per attempt: 1 s to connect, 3 s for the answer; two attempts. A hung AWS endpoint thus
 * fails a call within about 8 s, inside the cache's 10 s lock (lib/cache.ts), so a second
 * refresher never starts while the first still waits.
 */
export const AWS_TIMEOUTS = { connectionTimeout: 1_000, requestTimeout: 3_000, maxAttempts: 2 } as const;

export const ROLE_SESSION_NAME = 'pilothouse-control-plane';
const ROLE_SESSION_SECONDS = 900;

const clients = new Map<string, unknown>();

/**
 * Short-lived credentials for `roleArn`, refreshed by the SDK before they expire:
 * - `vercel-oidc` (production on Vercel): the function's OIDC token exchanged with
 *   sts:AssumeRoleWithWebIdentity. Vercel has no AWS keys, and the Terraform trusts only
 *   this (infrastructure/modules/iam, control_plane_assume; tests/integration/credentials.test.ts);
 * - `assume-role`: sts:AssumeRole with the base credentials (an operator's machine, the emulator).
 */
export function roleCredentials(
  roleArn: string,
  region: string,
  source: AwsCredentialSource,
  endpoint?: string,
): AwsCredentialIdentityProvider {
  // STS gets the same timeouts: a hung credential exchange would otherwise stall every call of the client.
  const clientConfig = {
    region,
    endpoint,
    maxAttempts: AWS_TIMEOUTS.maxAttempts,
    requestHandler: { connectionTimeout: AWS_TIMEOUTS.connectionTimeout, requestTimeout: AWS_TIMEOUTS.requestTimeout },
  };
  if (source === 'vercel-oidc') {
    return awsCredentialsProvider({
      roleArn,
      roleSessionName: ROLE_SESSION_NAME,
      durationSeconds: ROLE_SESSION_SECONDS,
      clientConfig,
    });
  }
  return fromTemporaryCredentials({
    params: { RoleArn: roleArn, RoleSessionName: ROLE_SESSION_NAME, DurationSeconds: ROLE_SESSION_SECONDS },
    clientConfig,
  });
}

export function clientFor<C>(Client: ClientConstructor<C>, env: Environment): C {
  const { region, roleArn } = env.aws;
  const source = awsCredentialSource();
  const key = `${Client.name}|${region}|${roleArn ?? ''}|${source}`;
  let client = clients.get(key) as C | undefined;
  if (!client) {
    const endpoint = getConfig().AWS_ENDPOINT_URL;
    client = new Client({
      region,
      endpoint,
      // Adaptive retry backs off client-side when AWS throttles a busy account.
      retryMode: 'adaptive',
      maxAttempts: AWS_TIMEOUTS.maxAttempts,
      requestHandler: {
        connectionTimeout: AWS_TIMEOUTS.connectionTimeout,
        requestTimeout: AWS_TIMEOUTS.requestTimeout,
      },
      credentials: roleArn ? roleCredentials(roleArn, region, source, endpoint) : undefined,
    });
    clients.set(key, client);
  }
  return client;
}
