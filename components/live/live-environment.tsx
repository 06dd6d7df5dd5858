'use client';
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { LiveSnapshotMessageSchema, type EnvironmentSnapshot, type LiveSnapshotMessage } from '@/lib/schemas/snapshot';
import { RenderedAtProvider } from '../time';
import { queryKeys, SNAPSHOT_PARTS, type SnapshotPart } from './query-keys';

export type Connection = 'connecting' | 'live' | 'reconnecting';

type LiveState = {
  env: string;
  connection: Connection;
  /** Server time of the snapshot on screen. */
  at: string;
  version: number;
  paused: boolean;
  /** Messages that arrived while paused (the newest is applied on resume). */
  waiting: number;
  setPaused: (paused: boolean) => void;
};

const LiveContext = createContext<LiveState | null>(null);

/** What EventSource cannot do itself: reconnect after a refused (non-200) or broken stream. */
const RECONNECT_AFTER_MS = 3_000;

function apply(client: QueryClient, message: LiveSnapshotMessage) {
  const env = message.snapshot.environment.name;
  client.setQueryData(queryKeys.environment(env), message.snapshot.environment);
  for (const part of SNAPSHOT_PARTS) client.setQueryData(queryKeys.part(env, part), message.snapshot[part]);
  client.setQueryData(queryKeys.snapshot(env), message.snapshot);
}

/**
 * One environment's live data: seeds the query cache with the server-rendered snapshot, then
 * follows /api/environments/{env}/live. A message is checked against the same zod schema the
 * server used before it reaches the screen. Pausing freezes what is shown and counts updates.
 */
export function LiveEnvironment({ initial, children }: { initial: LiveSnapshotMessage; children: ReactNode }) {
  const client = useQueryClient();
  const env = initial.snapshot.environment.name;
  // Seed before the first render of the children, so the server's HTML and the first client render agree.
  useState(() => apply(client, initial));
  const [connection, setConnection] = useState<Connection>('connecting');
  const [shown, setShown] = useState({ version: initial.version, at: initial.at });
  const [renderedAt] = useState(() => Date.parse(initial.at));
  const [paused, setPausedState] = useState(false);
  const [waiting, setWaiting] = useState(0);
  const pausedRef = useRef(false);
  const pending = useRef<LiveSnapshotMessage | null>(null);

  const show = useCallback((message: LiveSnapshotMessage) => {
    apply(client, message);
    setShown({ version: message.version, at: message.at });
  }, [client]);

  useEffect(() => {
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const open = () => {
      source = new EventSource(`/api/environments/${encodeURIComponent(env)}/live`);
      source.onopen = () => setConnection('live');
      source.onerror = () => {
        setConnection('reconnecting');
        // CONNECTING: the browser retries on its own (with Last-Event-ID). CLOSED: it gave up.
        if (source?.readyState === EventSource.CLOSED) {
          source.close();
          retry = setTimeout(open, RECONNECT_AFTER_MS);
        }
      };
      source.addEventListener('snapshot', (event) => {
        const parsed = LiveSnapshotMessageSchema.safeParse(JSON.parse((event as MessageEvent<string>).data));
        if (!parsed.success) {
          console.warn('live update refused: it does not match the snapshot schema', parsed.error.issues.slice(0, 3));
          return;
        }
        setConnection('live');
        if (pausedRef.current) {
          pending.current = parsed.data;
          setWaiting((n) => n + 1);
          return;
        }
        show(parsed.data);
      });
    };
    open();
    return () => {
      clearTimeout(retry);
      source?.close();
    };
  }, [env, show]);

  const setPaused = useCallback((next: boolean) => {
    pausedRef.current = next;
    setPausedState(next);
    if (!next && pending.current) {
      show(pending.current);
      pending.current = null;
    }
    if (!next) setWaiting(0);
  }, [show]);

  return (
    <LiveContext.Provider value={{ env, connection, at: shown.at, version: shown.version, paused, waiting, setPaused }}>
      <RenderedAtProvider at={renderedAt}>{children}</RenderedAtProvider>
    </LiveContext.Provider>
  );
}

export function useLive(): LiveState {
  const state = useContext(LiveContext);
  if (!state) throw new Error('useLive needs a <LiveEnvironment> around it');
  return state;
}

/** One part of the environment's snapshot, as the last applied message has it. */
export function useSnapshotPart<P extends SnapshotPart>(part: P): EnvironmentSnapshot[P] {
  const { env } = useLive();
  const { data } = useQuery<EnvironmentSnapshot[P]>({ queryKey: queryKeys.part(env, part), enabled: false });
  if (!data) throw new Error(`no ${part} data for ${env}`);
  return data;
}

export function useSnapshot(): EnvironmentSnapshot {
  const { env } = useLive();
  const { data } = useQuery<EnvironmentSnapshot>({ queryKey: queryKeys.snapshot(env), enabled: false });
  if (!data) throw new Error(`no snapshot for ${env}`);
  return data;
}
