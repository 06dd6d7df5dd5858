import 'server-only';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { keys } from '../contracts/keys';
import { acquireLock, releaseLock, renewLock, whileHolding } from './redis-lock';

/**
 * Live updates for open dashboards, across every instance of the control plane.
 *
 * For each environment that someone watches anywhere, exactly one instance is its
 * *refresher*: it holds a Redis lease, loads the snapshot each tick (through the shared
 * cache) and publishes it, numbered, on the environment's channel. Every instance holds one
 * subscriber connection and pushes what arrives to its own viewers; the latest message is
 * also kept in Redis, so a new viewer on any instance gets it at once.
 *
 * Instances that do not refresh send Redis nothing while updates keep coming: a message
 * is the refresher's proof of life. Only after LEASE_TTL of silence does an instance try to
 * take the lease (the holder renews it with each publication), so a dead refresher is
 * replaced within LIVE_LEASE_MS (the TTL plus one tick), and watching from N instances
 * costs what watching from one does.
 */
export type LiveMessage<T> = { version: number; at: string; snapshot: T };

export type LiveListener<T> = (message: LiveMessage<T>) => void;

export type LiveHub<T> = {
  /** Delivers the latest message at once (when there is one), then each new one. */
  subscribe(environment: string, listener: LiveListener<T>, onError?: (err: unknown) => void): () => void;
  subscriberCount(environment: string): number;
  /** True while this instance is the environment's refresher. */
  isRefresher(environment: string): boolean;
  /** Asks the environment's refresher, wherever it runs, to refresh now (after an action). */
  refreshNow(environment: string): Promise<void>;
  /** Stops every timer, gives up held leases and unsubscribes (tests, shutdown). */
  close(): Promise<void>;
};

export const LIVE_TICK_MS = 5_000;
/** How long a dead refresher can leave an environment without updates, at most. */
export const LIVE_LEASE_MS = 3 * LIVE_TICK_MS;

// Publishes only while the caller holds the lease, renewing it: one round trip per tick,
// and a refresher that lost its lease (paused past the TTL) can never publish over the new one.
const PUBLISH_IF_HOLDER = whileHolding(`
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local version = redis.call('INCR', KEYS[2])
local message = '{"version":' .. version .. ',' .. ARGV[3]
redis.call('SET', KEYS[3], message, 'PX', ARGV[4])
redis.call('PUBLISH', KEYS[4], message)
return version`);

type LiveRedis = Redis & {
  livePublishIfHolder(
    lease: string,
    version: string,
    latest: string,
    channel: string,
    id: string,
    ttlMs: number,
    body: string,
    latestTtlMs: number,
  ): Promise<number>;
};

export type LiveHubOptions<T> = {
  /** The command connection (shared with the cache). */
  redis: Redis;
  /** A connection of its own: once subscribed, it can send nothing else. */
  subscriber: Redis;
  load: (environment: string) => Promise<T>;
  tickMs?: number;
  leaseMs?: number;
  /** Told about failures no viewer can act on (a failed load, a Redis error). */
  onError?: (err: unknown, environment: string) => void;
};

export function createLiveHub<T>(options: LiveHubOptions<T>): LiveHub<T> {
  const { load, subscriber, onError = () => {} } = options;
  const tickMs = options.tickMs ?? LIVE_TICK_MS;
  const leaseTtlMs = (options.leaseMs ?? 3 * tickMs) - tickMs;
  const instanceId = randomUUID();
  const redis = options.redis as LiveRedis;
  // A defined command is sent by its SHA after the first time: the script is not resent each tick.
  if (!redis.livePublishIfHolder)
    redis.defineCommand('livePublishIfHolder', { numberOfKeys: 4, lua: PUBLISH_IF_HOLDER });

  type Listener = { next: LiveListener<T>; error?: (err: unknown) => void };
  type Channel = {
    listeners: Set<Listener>;
    timer: NodeJS.Timeout;
    last?: LiveMessage<T>;
    /** When the last message arrived (or the channel opened): silence longer than the TTL means no refresher. */
    heardAt: number;
    holder: boolean;
    refreshing: boolean;
    refreshAgain: boolean;
  };
  const channels = new Map<string, Channel>();
  const channelOf = new Map<string, { environment: string; kind: 'update' | 'refresh' }>();

  subscriber.on('message', (name: string, payload: string) => {
    const target = channelOf.get(name);
    const channel = target && channels.get(target.environment);
    if (!target || !channel) return;
    if (target.kind === 'refresh') {
      if (channel.holder) void refresh(target.environment, channel);
      return;
    }
    deliver(channel, payload);
  });

  function deliver(channel: Channel, payload: string) {
    let message: LiveMessage<T>;
    try {
      message = JSON.parse(payload) as LiveMessage<T>;
    } catch {
      return; // not ours: the channel is in our key space, but be safe
    }
    channel.heardAt = Date.now();
    if (channel.last && message.version <= channel.last.version) return; // already seen (latest read + publication)
    channel.last = message;
    for (const listener of channel.listeners) listener.next(message);
  }

  function fail(environment: string, channel: Channel, err: unknown) {
    onError(err, environment);
    for (const listener of channel.listeners) listener.error?.(err);
  }

  async function tick(environment: string, channel: Channel) {
    try {
      if (channel.holder && channel.refreshing) {
        // The last load is still running: keep the lease (a slow snapshot must not let another
        // instance take over and refresh too); it publishes when done.
        if (!(await renewLock(redis, keys.liveLease(environment), instanceId, leaseTtlMs))) channel.holder = false;
        return;
      }
      if (!channel.holder) {
        if (Date.now() - channel.heardAt < leaseTtlMs) return; // someone is refreshing
        if (!(await acquireLock(redis, keys.liveLease(environment), instanceId, leaseTtlMs))) {
          channel.heardAt = Date.now(); // the holder is alive, just quiet (a slow load): wait another TTL
          return;
        }
        channel.holder = true;
      }
      await refresh(environment, channel);
    } catch (err) {
      fail(environment, channel, err);
    }
  }

  async function refresh(environment: string, channel: Channel) {
    if (channel.refreshing) {
      channel.refreshAgain = true;
      return;
    }
    channel.refreshing = true;
    try {
      const snapshot = await load(environment);
      if (channels.get(environment) !== channel) return; // everyone left while it loaded
      const body = `"at":${JSON.stringify(new Date().toISOString())},"snapshot":${JSON.stringify(snapshot)}}`;
      const version = await redis.livePublishIfHolder(
        keys.liveLease(environment),
        keys.liveVersion(environment),
        keys.liveLatest(environment),
        keys.liveChannel(environment),
        instanceId,
        leaseTtlMs,
        body,
        10 * leaseTtlMs,
      );
      if (version === 0) channel.holder = false; // lost the lease (paused past its TTL): another refreshes
    } catch (err) {
      fail(environment, channel, err);
    } finally {
      channel.refreshing = false;
      if (channel.refreshAgain && channel.holder) {
        channel.refreshAgain = false;
        void refresh(environment, channel);
      }
    }
  }

  async function open(environment: string, channel: Channel) {
    const updates = keys.liveChannel(environment);
    const refreshes = keys.liveRefreshChannel(environment);
    channelOf.set(updates, { environment, kind: 'update' });
    channelOf.set(refreshes, { environment, kind: 'refresh' });
    try {
      await subscriber.subscribe(updates, refreshes);
      const latest = await redis.get(keys.liveLatest(environment));
      if (latest && channels.get(environment) === channel) {
        deliver(channel, latest);
        channel.heardAt = 0; // a stored message proves nothing about a refresher now
      }
    } catch (err) {
      fail(environment, channel, err);
    }
    if (channels.get(environment) === channel) void tick(environment, channel);
  }

  async function shut(environment: string, channel: Channel) {
    clearInterval(channel.timer);
    channels.delete(environment);
    channelOf.delete(keys.liveChannel(environment));
    channelOf.delete(keys.liveRefreshChannel(environment));
    try {
      await subscriber.unsubscribe(keys.liveChannel(environment), keys.liveRefreshChannel(environment));
      // Hand over at once instead of after the TTL: another instance may still have viewers.
      if (channel.holder) await releaseLock(redis, keys.liveLease(environment), instanceId);
    } catch (err) {
      onError(err, environment);
    }
  }

  return {
    subscribe(environment, next, error) {
      const listener: Listener = { next, error };
      let channel = channels.get(environment);
      if (!channel) {
        const created: Channel = {
          listeners: new Set([listener]),
          timer: setInterval(() => void tick(environment, created), tickMs),
          heardAt: 0,
          holder: false,
          refreshing: false,
          refreshAgain: false,
        };
        created.timer.unref?.();
        channels.set(environment, created);
        channel = created;
        void open(environment, created);
      } else {
        channel.listeners.add(listener);
        if (channel.last) next(channel.last); // a newcomer sees the latest at once
      }
      return () => {
        const current = channels.get(environment);
        if (!current || !current.listeners.delete(listener)) return;
        if (current.listeners.size === 0) void shut(environment, current);
      };
    },
    subscriberCount: (environment) => channels.get(environment)?.listeners.size ?? 0,
    isRefresher: (environment) => channels.get(environment)?.holder ?? false,
    async refreshNow(environment) {
      await redis.publish(keys.liveRefreshChannel(environment), '1');
    },
    async close() {
      await Promise.all([...channels.entries()].map(([environment, channel]) => shut(environment, channel)));
    },
  };
}
