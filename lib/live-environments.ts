import 'server-only';
import { waitUntil } from '@vercel/functions';
import { getEnvironmentOrThrow } from './environments';
import { createLiveHub, type LiveHub } from './live';
import { log } from './log';
import { FAIL_FAST_REDIS_OPTIONS, getRedis } from './redis';
import { getEnvironmentSnapshot, type EnvironmentSnapshot } from './snapshot';
import { trackStatus } from './status-alerts';

/**
 * This process's live hub for environment snapshots: the command connection it shares with
 * the cache, plus one subscriber connection, however many pages stream from it.
 */
let hub: LiveHub<EnvironmentSnapshot> | undefined;

export function getLiveHub(): LiveHub<EnvironmentSnapshot> {
  if (!hub) {
    const redis = getRedis();
    const subscriber = redis.duplicate({ ...FAIL_FAST_REDIS_OPTIONS, commandTimeout: undefined });
    subscriber.on('error', () => {}); // ioredis reconnects and subscribes again on its own
    hub = createLiveHub({
      redis,
      subscriber,
      load: async (name) => {
        const environment = getEnvironmentOrThrow(name);
        const snapshot = await getEnvironmentSnapshot(environment);
        // The refresher judges each tick's status: changes are recorded and announced (once, across instances).
        // On Vercel, waitUntil keeps the function alive until the change is recorded and posted.
        waitUntil(trackStatus(environment, snapshot.status, { redis }));
        return snapshot;
      },
      onError: (err, environment) => log.warn({ err, environment }, 'live updates: refresh failed'),
    });
  }
  return hub;
}
