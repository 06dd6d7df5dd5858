import 'server-only';

/**
 * Live updates for open dashboards: one poller per environment per process, however many
 * browsers are connected. While an environment has subscribers, its snapshot is loaded
 * once per tick (through the shared cache) and pushed to every subscriber; with none, nothing
 * runs. So 100 open dashboards on an instance cost what one does.
 */
export type LiveHub<T> = {
  subscribe(environment: string, listener: (snapshot: T) => void, onError?: (err: unknown) => void): () => void;
  subscriberCount(environment: string): number;
};

export const LIVE_TICK_MS = 5_000;

export function createLiveHub<T>(load: (environment: string) => Promise<T>, tickMs = LIVE_TICK_MS): LiveHub<T> {
  type Channel = { listeners: Set<{ next: (s: T) => void; error?: (e: unknown) => void }>; timer: NodeJS.Timeout; last?: T };
  const channels = new Map<string, Channel>();

  async function tick(environment: string) {
    const channel = channels.get(environment);
    if (!channel) return;
    try {
      const snapshot = await load(environment);
      channel.last = snapshot;
      for (const l of channel.listeners) l.next(snapshot);
    } catch (err) {
      for (const l of channel.listeners) l.error?.(err);
    }
  }

  return {
    subscribe(environment, next, error) {
      let channel = channels.get(environment);
      const listener = { next, error };
      if (!channel) {
        channel = { listeners: new Set(), timer: setInterval(() => void tick(environment), tickMs) };
        channel.timer.unref?.();
        channels.set(environment, channel);
        channel.listeners.add(listener);
        void tick(environment);
      } else {
        channel.listeners.add(listener);
        if (channel.last !== undefined) next(channel.last); // a newcomer sees the latest at once
      }
      return () => {
        const current = channels.get(environment);
        if (!current) return;
        current.listeners.delete(listener);
        if (current.listeners.size === 0) {
          clearInterval(current.timer);
          channels.delete(environment);
        }
      };
    },
    subscriberCount: (environment) => channels.get(environment)?.listeners.size ?? 0,
  };
}
