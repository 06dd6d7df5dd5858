/**
 * Dashboard viewers under load: real EventSource clients (the `eventsource` package, the
 * WHATWG EventSource for Node, reconnecting with Last-Event-ID as a browser does) on the live
 * streams of running control-plane instances (`next start`), spread over instances and
 * environments, while an operator acts every few seconds. Measures what the load test
 * (tests/e2e/load.spec.ts) checks and `npm run bench` reports: AWS calls and Redis commands
 * per minute, delivery of every update to every viewer, fan-out latency (publish to receipt),
 * reconnects, and the instances' memory before, during and after.
 */
import { EventSource } from 'eventsource';
import { Redis } from 'ioredis';
import { readdirSync, readFileSync } from 'node:fs';
import { WebSocket } from 'ws';
import { keys } from '../../contracts/keys';
import type { RunningServer } from './local-platform';

export type LiveLoadOptions = {
  /** Control-plane instances started with `inspect: true`, so their heap can be read. */
  instances: (RunningServer & { inspectors: string[] })[];
  environments: string[];
  viewers: number;
  windowMs: number;
  /** A signed-in operator's Cookie header (the same session works on every instance: one secret). */
  cookie: string;
  emulatorUrl: string;
  redisUrl: string;
  /** An action (a scale of staging's worker, alternating) this often during the window; 0 for none. */
  actionEveryMs: number;
  /** How long after the viewers leave the memory is read again. */
  settleMs?: number;
};

export type LiveLoadResult = {
  viewers: number;
  instances: number;
  environments: number;
  windowMs: number;
  awsPerMinute: number;
  redisPerMinute: number;
  /** Versions published per environment during the window (Redis's counter at its start and end). */
  updates: Record<string, number>;
  /** Window updates received, summed over viewers, against every viewer getting every update of its environment. */
  deliveries: number;
  expectedDeliveries: number;
  /** Updates published during the window that a viewer whose stream never broke did not get. */
  missed: number;
  /** Streams that errored during the window (any error event), of which some came back by themselves and some stayed closed. */
  errored: number;
  reconnects: number;
  dropped: number;
  /** AWS calls and Redis commands per update published. */
  awsPerUpdate: number;
  redisPerUpdate: number;
  latencyMs: { p50: number; p99: number; max: number; samples: number };
  /** From opening a stream to its first update (all viewers connecting at once). */
  firstUpdateMs: { p50: number; p99: number };
  /** Resident memory of the instances' process groups, MB (what the OS sees; V8 and malloc keep freed pages a while). */
  memoryMb: { before: number; during: number; after: number };
  /** The instances' JavaScript heap in use after a full GC, MB: what the viewers' state really holds. */
  heapMb: { before: number; after: number };
  actions: { ok: number; failed: number };
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Resident memory of every process in a process group (`next start` and whatever it forks). */
export function processGroupRssBytes(pgid: number): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue; // field 5 of stat: the process group
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${entry}/status`, 'utf8'));
      total += rss ? Number(rss[1]) * 1024 : 0;
    } catch {
      /* exited while we read */
    }
  }
  return total;
}

/** Sends one Chrome DevTools Protocol command over an inspector's WebSocket and waits for its answer. */
function inspectorCall(socket: WebSocket, id: number, method: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const onMessage = (data: Buffer) => {
      const message = JSON.parse(String(data)) as {
        id?: number;
        result?: Record<string, unknown>;
        error?: { message: string };
      };
      if (message.id !== id) return;
      socket.off('message', onMessage);
      if (message.error) reject(new Error(`${method}: ${message.error.message}`));
      else resolve(message.result ?? {});
    };
    socket.on('message', onMessage);
    socket.send(JSON.stringify({ id, method }));
  });
}

/** The heap in use after a full GC, summed over every process of every instance, in MB. */
export async function heapAfterGcMb(instances: { inspectors: string[] }[]): Promise<number> {
  let used = 0;
  for (const url of instances.flatMap((i) => i.inspectors)) {
    const socket = new WebSocket(url);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the inspector at ${url} did not answer within 15 s`)), 15_000);
    });
    try {
      await Promise.race([
        (async () => {
          await new Promise<void>((resolve, reject) => {
            socket.once('open', () => resolve());
            socket.once('error', reject);
          });
          await inspectorCall(socket, 1, 'HeapProfiler.collectGarbage');
          used += Number((await inspectorCall(socket, 2, 'Runtime.getHeapUsage')).usedSize);
        })(),
        deadline,
      ]);
    } finally {
      clearTimeout(timer);
      socket.terminate();
    }
  }
  return used / 1024 / 1024;
}

async function awsRequests(emulatorUrl: string): Promise<number> {
  const res = await fetch(`${emulatorUrl}/_pilothouse/requests`);
  return ((await res.json()) as { total: number }).total;
}

async function redisCommands(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  return [...info.matchAll(/calls=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
}

type Viewer = {
  environment: string;
  source: EventSource;
  versions: Set<number>;
  opened: number;
  errors: number;
  /** The next message is the one a (re)connection starts with: the stored latest, not a fresh publish. */
  awaitingFirst: boolean;
  createdAt: number;
  firstUpdateAt: number | null;
};

function openViewer(
  instance: RunningServer,
  environment: string,
  cookie: string,
  latencies: number[],
  measuring: { on: boolean },
): Viewer {
  const source = new EventSource(`${instance.url}/api/environments/${environment}/live`, {
    fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, cookie } }),
  });
  const viewer: Viewer = {
    environment,
    source,
    versions: new Set(),
    opened: 0,
    errors: 0,
    awaitingFirst: true,
    createdAt: Date.now(),
    firstUpdateAt: null,
  };
  source.addEventListener('open', () => {
    viewer.opened++;
    viewer.awaitingFirst = true;
  });
  source.addEventListener('error', () => viewer.errors++);
  source.addEventListener('snapshot', (event) => {
    const receivedAt = Date.now();
    viewer.firstUpdateAt ??= receivedAt;
    const { version, at } = JSON.parse(event.data) as { version: number; at: string };
    if (measuring.on) {
      viewer.versions.add(version);
      if (!viewer.awaitingFirst) latencies.push(receivedAt - Date.parse(at));
    }
    viewer.awaitingFirst = false;
  });
  return viewer;
}

export async function runLiveLoad(options: LiveLoadOptions): Promise<LiveLoadResult> {
  const admin = new Redis(options.redisUrl);
  const latencies: number[] = [];
  const measuring = { on: false };
  const memory = () => options.instances.reduce((sum, i) => sum + processGroupRssBytes(i.pid), 0) / 1024 / 1024;
  const viewers: Viewer[] = [];
  try {
    const before = memory();
    const heapBefore = await heapAfterGcMb(options.instances);
    for (let i = 0; i < options.viewers; i++) {
      viewers.push(
        openViewer(
          options.instances[i % options.instances.length],
          options.environments[Math.floor(i / options.instances.length) % options.environments.length],
          options.cookie,
          latencies,
          measuring,
        ),
      );
    }
    // Everyone connected and has the latest update before the window opens.
    const deadline = Date.now() + 60_000;
    while (viewers.some((v) => v.opened === 0 || v.awaitingFirst)) {
      if (Date.now() > deadline)
        throw new Error(
          `${viewers.filter((v) => v.opened === 0 || v.awaitingFirst).length} of ${viewers.length} viewers did not connect within 60 s`,
        );
      await sleep(100);
    }
    const errorsBefore = viewers.map((v) => v.errors);
    const firstUpdates = viewers.map((v) => v.firstUpdateAt! - v.createdAt).sort((a, b) => a - b);
    const infoOverhead = -(await redisCommands(admin)) + (await redisCommands(admin));
    const aws0 = await awsRequests(options.emulatorUrl);
    const redis0 = await redisCommands(admin);
    const versionNow = async (environment: string) => Number((await admin.get(keys.liveVersion(environment))) ?? 0);
    measuring.on = true; // before the counter is read: an update between the two is then recorded, not missed
    const firstVersion: Record<string, number> = {};
    for (const environment of options.environments) firstVersion[environment] = await versionNow(environment);
    const started = Date.now();
    const actions = { ok: 0, failed: 0 };
    let desired = 2;
    let during = 0;
    // Actions on a fixed schedule (at every actionEveryMs from the start), however long each takes.
    for (let k = 1; Date.now() - started < options.windowMs; k++) {
      const at =
        options.actionEveryMs > 0
          ? Math.min(started + k * options.actionEveryMs, started + options.windowMs)
          : started + options.windowMs;
      await sleep(Math.max(0, at - Date.now()));
      during = Math.max(during, memory());
      if (options.actionEveryMs > 0 && at < started + options.windowMs) {
        const res = await fetch(`${options.instances[0].url}/api/environments/staging/services/worker`, {
          method: 'POST',
          headers: {
            cookie: options.cookie,
            origin: options.instances[0].url,
            'content-type': 'application/json',
            'idempotency-key': `load-${Date.now()}-${desired}`,
          },
          body: JSON.stringify({ action: 'scale', desiredCount: desired }),
        });
        actions[res.ok ? 'ok' : 'failed']++;
        desired = desired === 2 ? 1 : 2;
      }
    }
    const windowMs = Date.now() - started;
    const aws = (await awsRequests(options.emulatorUrl)) - aws0;
    const redis = (await redisCommands(admin)) - redis0 - infoOverhead;
    const lastVersion: Record<string, number> = {};
    for (const environment of options.environments) lastVersion[environment] = await versionNow(environment);
    await sleep(2_000); // what was published just before the end reaches everyone
    measuring.on = false;

    // Every version the window published, by Redis's own counter: each unbroken stream must have had them all.
    let missed = 0;
    for (const [i, v] of viewers.entries()) {
      if (v.errors > errorsBefore[i]) continue; // a stream that broke resumes from the latest, by design
      for (let version = firstVersion[v.environment] + 1; version <= lastVersion[v.environment]; version++)
        if (!v.versions.has(version)) missed++;
    }
    let deliveries = 0;
    let expectedDeliveries = 0;
    for (const v of viewers)
      for (let version = firstVersion[v.environment] + 1; version <= lastVersion[v.environment]; version++) {
        expectedDeliveries++;
        if (v.versions.has(version)) deliveries++;
      }
    const failed = viewers.filter((v, i) => v.errors > errorsBefore[i]);
    const dropped = failed.filter((v) => v.source.readyState === EventSource.CLOSED).length;
    for (const v of viewers) v.source.close();
    viewers.length = 0;
    await sleep(options.settleMs ?? 5_000); // the server sees each stream end and lets it go
    const heapAfter = await heapAfterGcMb(options.instances);
    const sorted = [...latencies].sort((a, b) => a - b);
    const updates = options.environments.reduce((sum, e) => sum + lastVersion[e] - firstVersion[e], 0);
    return {
      viewers: options.viewers,
      instances: options.instances.length,
      environments: options.environments.length,
      windowMs,
      awsPerMinute: (aws * 60_000) / windowMs,
      redisPerMinute: (redis * 60_000) / windowMs,
      updates: Object.fromEntries(
        options.environments.map((environment) => [environment, lastVersion[environment] - firstVersion[environment]]),
      ),
      deliveries,
      expectedDeliveries,
      missed,
      errored: failed.length,
      reconnects: failed.length - dropped,
      dropped,
      latencyMs: {
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        max: sorted.at(-1) ?? NaN,
        samples: sorted.length,
      },
      awsPerUpdate: aws / Math.max(1, updates),
      redisPerUpdate: redis / Math.max(1, updates),
      firstUpdateMs: { p50: percentile(firstUpdates, 50), p99: percentile(firstUpdates, 99) },
      memoryMb: { before, during, after: memory() },
      heapMb: { before: heapBefore, after: heapAfter },
      actions,
    };
  } finally {
    for (const v of viewers) v.source.close();
    admin.disconnect();
  }
}

export function describeLiveLoad(r: LiveLoadResult): string {
  return (
    `${r.viewers} viewers on ${r.instances} instance(s), ${r.environments} environment(s), ${(r.windowMs / 1000).toFixed(0)} s: ` +
    `${r.awsPerMinute.toFixed(0)} AWS calls/min, ${r.redisPerMinute.toFixed(0)} Redis commands/min, ` +
    `updates ${JSON.stringify(r.updates)} (${r.awsPerUpdate.toFixed(1)} AWS calls and ${r.redisPerUpdate.toFixed(0)} Redis commands each), ` +
    `deliveries ${r.deliveries} of ${r.expectedDeliveries}, fan-out p50 ${r.latencyMs.p50} ms p99 ${r.latencyMs.p99} ms (${r.latencyMs.samples} deliveries), ` +
    `first update p50 ${r.firstUpdateMs.p50} ms p99 ${r.firstUpdateMs.p99} ms, ` +
    `missed ${r.missed}, errored ${r.errored} (reconnected ${r.reconnects}, dropped ${r.dropped}), ` +
    `resident memory ${r.memoryMb.before.toFixed(0)} → ${r.memoryMb.during.toFixed(0)} → ${r.memoryMb.after.toFixed(0)} MB, ` +
    `heap after GC ${r.heapMb.before.toFixed(1)} → ${r.heapMb.after.toFixed(1)} MB, actions ${r.actions.ok} ok ${r.actions.failed} failed`
  );
}
