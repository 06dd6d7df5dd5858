/**
 * Starts and stops the local platform's servers: redis-server and moto (through our
 * extension, scripts/emulator/pilothouse_moto.py), each on a free 127.0.0.1 port, each
 * in its own process group so stopping it stops everything it started.
 * Used by `npm run demo` and by the test harness.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import getPort from 'get-port';

export const ROOT = path.resolve(import.meta.dirname, '../..');
/** A path in this repository (the repository itself without arguments). */
export const repoPath = (...parts: string[]): string => path.join(ROOT, ...parts);
export const VENV_PYTHON = path.join(ROOT, '.venv', 'bin', 'python');

/** Credentials moto accepts; any value works, the SDK only needs some. */
export const EMULATOR_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

export type RunningServer = { pid: number; port: number; url: string; stop: () => Promise<void> };

/**
 * Every process group we start, so that a crash of the starter (an uncaught exception)
 * still stops them: Node runs 'exit' listeners even then, and process.kill is synchronous.
 */
const started = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of started) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

/** Starts a command in its own process group, stopped with its starter at the latest. */
export function spawnGroup(command: string, args: string[], options: Omit<SpawnOptions, 'detached'>): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true });
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}

/** True when `artifact` exists and is newer than every file under each of `sources` (missing ones skipped). */
export function isNewerThanSources(artifact: string, sources: string[]): boolean {
  if (!existsSync(artifact)) return false;
  const builtAt = statSync(artifact).mtimeMs;
  const newest = (p: string): number => {
    const stat = statSync(p);
    if (!stat.isDirectory()) return stat.mtimeMs;
    return Math.max(stat.mtimeMs, ...readdirSync(p).map((f) => newest(path.join(p, f))));
  };
  return sources.every((s) => !existsSync(s) || newest(s) < builtAt);
}

/** A free loopback port (get-port: it also avoids ports it handed out moments ago in this process). */
export function freePort(): Promise<number> {
  return getPort({ host: '127.0.0.1' });
}

/** Stops a process group started with `detached: true`: SIGTERM, then SIGKILL after a grace period. */
export async function stopProcessGroup(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* exited meanwhile */
    }
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

/** Resolves with the first stdout line that matches, or rejects when the process exits first. */
function waitForLine(child: ChildProcess, pattern: RegExp, name: string, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const output: string[] = [];
    const lines = createInterface({ input: child.stdout! });
    const stderr = createInterface({ input: child.stderr! });
    stderr.on('line', (l) => output.push(l));
    const timer = setTimeout(() => fail(new Error(`${name} did not start within ${timeoutMs} ms`)), timeoutMs);
    const onExit = (code: number | null) => fail(new Error(`${name} exited (code ${code}) before it was ready`));
    function fail(err: Error) {
      clearTimeout(timer);
      child.off('exit', onExit);
      reject(new Error(`${err.message}\n${output.slice(-20).join('\n')}`));
    }
    lines.on('line', (line) => {
      output.push(line);
      const match = pattern.exec(line);
      if (match) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(match);
      }
    });
    child.once('exit', onExit);
  });
}

export type RedisOptions = {
  /** Persist every write to an append-only file before answering it (`appendfsync always`). */
  appendOnly?: boolean;
  /** Start again where a stopped or killed Redis was: its port and its data directory (kept on stop). */
  restartOf?: { port: number; dir: string };
};

export async function startRedis(options: RedisOptions = {}): Promise<RunningServer & { dir: string }> {
  // redis-server cannot pick its own port and report it, so we pick one and retry on a clash.
  for (let attempt = 1; ; attempt++) {
    const port = options.restartOf?.port ?? (await freePort());
    const dir = options.restartOf?.dir ?? mkdtempSync(path.join(tmpdir(), 'pilothouse-redis-'));
    const ownsDir = !options.restartOf;
    const child = spawnGroup(
      'redis-server',
      [
        '--bind',
        '127.0.0.1',
        '--port',
        String(port),
        '--dir',
        dir,
        '--save',
        '',
        ...(options.appendOnly ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
        // BullMQ needs keys never to be evicted (README, "Redis and Upstash").
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      await waitForLine(child, /Ready to accept connections/, 'redis-server', 15_000);
    } catch (err) {
      await stopProcessGroup(child);
      if (ownsDir) rmSync(dir, { recursive: true, force: true });
      if (attempt < 3 && !options.restartOf) continue;
      // A restart must have the same port back (clients reconnect to it): the killed server's
      // socket, or a process that took the port meanwhile, may hold it a moment. Wait and retry,
      // then say why.
      if (options.restartOf && attempt < 20) {
        await new Promise((r) => setTimeout(r, 250));
        continue;
      }
      if (options.restartOf)
        throw new Error(`redis-server could not start again on port ${port} after ${attempt} tries`, { cause: err });
      throw err;
    }
    child.stdout!.resume();
    child.stderr!.resume();
    return {
      pid: child.pid!,
      port,
      dir,
      url: `redis://127.0.0.1:${port}`,
      stop: async () => {
        await stopProcessGroup(child);
        if (ownsDir) rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

export async function startEmulator(options: { taskStepSeconds?: number } = {}): Promise<RunningServer> {
  const child = spawnGroup(VENV_PYTHON, [path.join(ROOT, 'scripts', 'emulator', 'pilothouse_moto.py'), '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PYTHONUNBUFFERED: '1',
      PILOTHOUSE_TASK_STEP_SECONDS: String(options.taskStepSeconds ?? 1),
    },
  });
  child.once('error', () => {}); // reported through waitForLine's exit handler
  const match = await waitForLine(child, /PILOTHOUSE_MOTO_READY port=(\d+)/, 'the AWS emulator (moto)', 60_000);
  child.stdout!.resume();
  child.stderr!.resume();
  const port = Number(match[1]);
  return { pid: child.pid!, port, url: `http://127.0.0.1:${port}`, stop: () => stopProcessGroup(child) };
}

/** Calls the emulator's local-only control API (scripts/emulator/pilothouse_emulator/control.py). */
export async function controlEmulator<T = unknown>(emulatorUrl: string, route: string, body: object = {}): Promise<T> {
  const res = await fetch(`${emulatorUrl}/_pilothouse/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as T & { error?: string };
  if (!res.ok) throw new Error(`emulator control ${route} failed: ${json.error ?? res.status}`);
  return json;
}
