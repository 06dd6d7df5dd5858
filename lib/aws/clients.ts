import 'server-only';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { getConfig } from '../config';
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
  credentials?: ReturnType<typeof fromTemporaryCredentials>;
}) => C;

const clients = new Map<string, unknown>();

export function clientFor<C>(Client: ClientConstructor<C>, env: Environment): C {
  const { region, roleArn } = env.aws;
  const key = `${Client.name}|${region}|${roleArn ?? ''}`;
  let client = clients.get(key) as C | undefined;
  if (!client) {
    const endpoint = getConfig().AWS_ENDPOINT_URL;
    client = new Client({
      region,
      endpoint,
      // Adaptive retry backs off client-side when AWS throttles a busy account.
      retryMode: 'adaptive',
      maxAttempts: 3,
      // Short-lived credentials per environment; the SDK refreshes them before they expire.
      credentials: roleArn
        ? fromTemporaryCredentials({
            params: { RoleArn: roleArn, RoleSessionName: 'pilothouse-control-plane', DurationSeconds: 900 },
            clientConfig: { region, endpoint },
          })
        : undefined,
    });
    clients.set(key, client);
  }
  return client;
}
