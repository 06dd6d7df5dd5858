/**
 * The platform's own services as local processes: the built `api` and `worker`
 * (node dist/worker/main-*.js, exactly what the Dockerfile runs), each in its own process
 * group, with their JSON logs kept for whoever started them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { isNewerThanSources, ROOT, spawnGroup, stopProcessGroup } from './local-platform';
import { forwardLogs, type LogDestination } from './log-forwarder';

export type LogLine = { level?: number; msg?: string; [key: string]: unknown };

export type ServiceProcess = {
  pid: number;
  child: ChildProcess;
  /** The most recent log lines (readiness waits on info-level lines, so keep LOG_LEVEL at info or lower). */
  logs: LogLine[];
  /** Resolves with the first log line (already seen or to come) that matches. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  exited: Promise<number | null>;
  stop(): Promise<void>;
};

const DIST = path.join(ROOT, 'dist', 'worker');
/** Log lines kept per process: enough for any test to search, bounded for a demo left running all day. */
const MAX_LOG_LINES = 5_000;

/** Compiles worker/ to dist/ with tsc when a source is newer than the build. */
export async function buildServices(log: (line: string) => void = () => {}): Promise<void> {
  if (isNewerThanSources(path.join(DIST, 'main-worker.js'), [path.join(ROOT, 'worker'), path.join(ROOT, 'contracts')]))
    return;
  const started = Date.now();
  log('▸ building the api and worker (tsc -p worker) ...');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'worker'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`tsc -p worker failed (${code})`))));
  });
  log(`  building the api and worker: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

export type ServiceOptions = {
  /** Ship every line the process writes into CloudWatch Logs, as the awslogs driver would (scripts/platform/log-forwarder.ts). */
  logs?: LogDestination;
};

export function startService(
  name: 'api' | 'worker',
  env: Record<string, string>,
  options: ServiceOptions = {},
): ServiceProcess {
  const child = spawnGroup(process.execPath, [path.join(DIST, `main-${name}.js`)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Only what the service is given (plus PATH and HOME): no variable of ours leaks in by accident.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production', ...env },
  });
  const logs: LogLine[] = [];
  const waiters = new Set<(line: LogLine) => void>();
  const forwarder = options.logs ? forwardLogs(options.logs) : undefined;
  const onLine = (text: string) => {
    forwarder?.write(text);
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      line = { msg: text };
    }
    logs.push(line);
    if (logs.length > MAX_LOG_LINES) logs.splice(0, logs.length - MAX_LOG_LINES);
    for (const waiter of waiters) waiter(line);
  };
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', onLine);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  return {
    pid: child.pid!,
    child,
    logs,
    exited,
    waitForLog(match, timeoutMs = 30_000) {
      const seen = logs.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `${name}: no matching log line within ${timeoutMs} ms; last lines:\n${logs
                .slice(-15)
                .map((l) => JSON.stringify(l))
                .join('\n')}`,
            ),
          );
        }, timeoutMs);
        const waiter = (line: LogLine) => {
          if (!match(line)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(line);
        };
        waiters.add(waiter);
        void exited.then((code) => {
          if (!waiters.has(waiter)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          reject(
            new Error(
              `${name} exited (${code}); last lines:\n${logs
                .slice(-15)
                .map((l) => JSON.stringify(l))
                .join('\n')}`,
            ),
          );
        });
      });
    },
    async stop() {
      await stopProcessGroup(child, 30_000);
      await forwarder?.close();
    },
  };
}

/** Starts the api on a free port and resolves with its URL once it listens. */
export async function startApi(
  env: Record<string, string>,
  options: ServiceOptions = {},
): Promise<ServiceProcess & { url: string }> {
  const api = startService('api', { HOST: '127.0.0.1', PORT: '0', ...env }, options);
  try {
    const line = await api.waitForLog(
      (l) => typeof l.msg === 'string' && l.msg.startsWith('Server listening at http://127.0.0.1:'),
    );
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(line.msg!)![0];
    return { ...api, url };
  } catch (err) {
    await api.stop();
    throw err;
  }
}

export async function startWorker(env: Record<string, string>, options: ServiceOptions = {}): Promise<ServiceProcess> {
  const worker = startService('worker', env, options);
  try {
    await worker.waitForLog((l) => l.msg === 'worker ready');
    return worker;
  } catch (err) {
    await worker.stop();
    throw err;
  }
}
