'use client';
import { hashKey, useQueryClient, type QueryClient, type QueryKey } from '@tanstack/react-query';
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useRef,
  useState,
  useSyncExternalStore,
  type ReactNode,
} from 'react';
import type { EnvironmentSnapshot, LiveSnapshotMessage, StatusVerdict } from '@/model/schemas/snapshot';
import { RenderedAtProvider } from '../time';
import type { SourceName } from '@/model/schemas/sources';
import { queryKeys, sourceNamesOf } from './query-keys';
import { TabStatus } from './tab-status';

/**
 * live: snapshots arriving. delayed: the stream is open but no snapshot came for a while (the
 * server's Redis or refresher is stuck; it says so with a `problem` event when it knows).
 */
export type Connection = 'connecting' | 'live' | 'delayed' | 'reconnecting' | 'ended';

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
/** The refresher publishes every 5 s tick: three missed ticks is no longer live. */
const DELAYED_AFTER_MS = 15_000;

/**
 * The zod schema that checks live messages, loaded with the stream rather than with the page:
 * the first render uses the server's own (already validated) snapshot, so zod need not be part
 * of the first-load JavaScript. Every message still waits for it.
 */
let messageSchema: Promise<typeof import('@/model/schemas/snapshot').LiveSnapshotMessageSchema> | null = null;
function loadMessageSchema() {
  messageSchema ??= import('@/model/schemas/snapshot').then(
    (module) => module.LiveSnapshotMessageSchema,
    (err: unknown) => {
      messageSchema = null; // a chunk that failed to load is asked for again by the next message
      throw err;
    },
  );
  return messageSchema;
}

function apply(client: QueryClient, message: LiveSnapshotMessage) {
  const env = message.snapshot.environment.name;
  client.setQueryData(queryKeys.environment(env), message.snapshot.environment);
  for (const part of sourceNamesOf(message.snapshot))
    client.setQueryData(queryKeys.part(env, part), message.snapshot[part]);
  client.setQueryData(queryKeys.status(env), message.snapshot.status);
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
  /** Server time of the newest data received: an older message (the hub's last one, sent at once to a newcomer) never replaces it. */
  const newestAt = useRef(Date.parse(initial.at));
  const [renderedAt] = useState(() => Date.parse(initial.at));
  const [paused, setPausedState] = useState(false);
  const [waiting, setWaiting] = useState(0);
  const pausedRef = useRef(false);
  const pending = useRef<LiveSnapshotMessage | null>(null);

  const show = useCallback(
    (message: LiveSnapshotMessage) => {
      apply(client, message);
      setShown({ version: message.version, at: message.at });
    },
    [client],
  );

  useEffect(() => {
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let closed = false;
    let silence: ReturnType<typeof setTimeout> | undefined;
    const expectNextWithin = () => {
      clearTimeout(silence);
      silence = setTimeout(() => setConnection((state) => (state === 'live' ? 'delayed' : state)), DELAYED_AFTER_MS);
    };
    // Messages are parsed in arrival order: each waits for the one before it (and for the schema).
    let queue: Promise<void> = Promise.resolve();
    const receive = async (data: string) => {
      const parsed = (await loadMessageSchema()).safeParse(JSON.parse(data));
      if (closed) return;
      if (!parsed.success) {
        console.warn('live update refused: it does not match the snapshot schema', parsed.error.issues.slice(0, 3));
        return;
      }
      const at = Date.parse(parsed.data.at);
      if (at <= newestAt.current) return; // older than the page's own render: not news, and not proof of life
      newestAt.current = at;
      setConnection('live');
      expectNextWithin();
      if (pausedRef.current) {
        pending.current = parsed.data;
        setWaiting((n) => n + 1);
        return;
      }
      show(parsed.data);
    };
    void loadMessageSchema().catch(() => {}); // fetched while the stream connects
    const open = () => {
      source = new EventSource(`/api/environments/${encodeURIComponent(env)}/live`);
      // Open is not live yet: live is a snapshot arriving (the first comes at once when the server has one).
      source.onerror = () => {
        setConnection('reconnecting');
        // CONNECTING: the browser retries on its own (with Last-Event-ID). CLOSED: it gave up.
        if (source?.readyState === EventSource.CLOSED) {
          source.close();
          retry = setTimeout(open, RECONNECT_AFTER_MS);
        }
      };
      source.addEventListener('snapshot', (event) => {
        const data = (event as MessageEvent<string>).data;
        queue = queue.then(() => receive(data)).catch((err: unknown) => console.warn('live update refused', err));
      });
      source.addEventListener('problem', () => setConnection('delayed'));
      // The server ended the stream for good (the viewer lost the role): no reconnecting.
      source.addEventListener('ended', () => {
        source?.close();
        clearTimeout(silence);
        setConnection('ended');
      });
    };
    open();
    return () => {
      closed = true;
      clearTimeout(retry);
      clearTimeout(silence);
      source?.close();
    };
  }, [env, show]);

  const setPaused = useCallback(
    (next: boolean) => {
      pausedRef.current = next;
      setPausedState(next);
      if (!next && pending.current) {
        show(pending.current);
        pending.current = null;
      }
      if (!next) setWaiting(0);
    },
    [show],
  );

  return (
    <LiveContext.Provider value={{ env, connection, at: shown.at, version: shown.version, paused, waiting, setPaused }}>
      <RenderedAtProvider at={renderedAt}>{children}</RenderedAtProvider>
      <TabStatus />
    </LiveContext.Provider>
  );
}

export function useLive(): LiveState {
  const state = useContext(LiveContext);
  if (!state) throw new Error('useLive needs a <LiveEnvironment> around it');
  return state;
}

/**
 * A query's data as the cache holds it, re-rendering when that query (and only that one) is
 * updated. This is what `useQuery` does for cached data, without its QueryObserver (fetching,
 * retries, refetch timers), which live data pushed by setQueryData never uses: 3 KB less to load.
 * setQueryData keeps unchanged data's identity (structural sharing), so an untouched part does
 * not re-render.
 */
function useQueryData<T>(queryKey: QueryKey): T | undefined {
  const client = useQueryClient();
  const hash = hashKey(queryKey);
  const subscribe = useCallback(
    (onChange: () => void) =>
      client.getQueryCache().subscribe((event) => {
        if (event.query.queryHash === hash) onChange();
      }),
    [client, hash],
  );
  const read = () => client.getQueryCache().get<T>(hash)?.state.data;
  return useSyncExternalStore(subscribe, read, read);
}

/** One part of the environment's snapshot, as the last applied message has it. */
export function useSnapshotPart<P extends SourceName>(part: P): EnvironmentSnapshot[P] {
  const { env } = useLive();
  const data = useQueryData<EnvironmentSnapshot[P]>(queryKeys.part(env, part));
  if (!data) throw new Error(`no ${part} data for ${env}`);
  return data;
}

/** healthy / degraded / down and why, as the server decided it with the snapshot. */
export function useEnvironmentStatus(): StatusVerdict {
  const { env } = useLive();
  const data = useQueryData<StatusVerdict>(queryKeys.status(env));
  if (!data) throw new Error(`no status for ${env}`);
  return data;
}

export function useSnapshot(): EnvironmentSnapshot {
  const { env } = useLive();
  const data = useQueryData<EnvironmentSnapshot>(queryKeys.snapshot(env));
  if (!data) throw new Error(`no snapshot for ${env}`);
  return data;
}
