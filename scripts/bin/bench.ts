/**
 * `npm run bench`: measured figures, each printed with the ratio it is about, then one table
 * of them all, also written as JSON to bench-report.json
 * (`npm run bench -- ecs|single-flight|readers|load|worker|pages|search|bull-board|tail|log-search|diagnosis`
 * runs one).
 * Starts the same seeded local platform as the demo, on free ports, and stops it.
 * Runs with the `react-server` condition, so lib's `server-only` guard resolves as on the server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { benchBullBoard } from '../bench/bull-board';
import { benchEcsBatching } from '../bench/ecs-batching';
import { benchJobSearch } from '../bench/job-search';
import { benchLiveLoad } from '../bench/live-load';
import { benchDiagnosis, benchLogSearch, benchTailFanout } from '../bench/logs';
import { benchPages } from '../bench/pages';
import { benchReaders } from '../bench/readers';
import { printReport, writeReport } from '../bench/report';
import { benchSingleFlight } from '../bench/single-flight';
import { benchWorkerBrowser } from '../bench/worker-browser';
import { startSeededPlatform } from '../platform/seeded-platform';

const REPORT_FILE = path.join(import.meta.dirname, '../..', 'bench-report.json');
const stateDir = mkdtempSync(path.join(tmpdir(), 'pilothouse-bench-'));
const platform = await startSeededPlatform({ stateDir, step: () => () => {} });
const only = process.argv[2];
const failures: string[] = [];
/** One bench failing (a timeout, a server gone) is reported, and the others still run. */
async function run(name: string, bench: () => Promise<void>) {
  if (only && only !== name) return;
  try {
    await bench();
  } catch (err) {
    failures.push(name);
    console.error(`\nbench ${name} failed: ${err instanceof Error ? err.stack : String(err)}`);
  }
}
try {
  // What `next start` is given by the demo: lib/config reads these on first use.
  Object.assign(process.env, platform.env);
  await run('ecs', () => benchEcsBatching(platform.emulator));
  await run('single-flight', () => benchSingleFlight(platform.redis));
  await run('readers', () => benchReaders(platform.emulator, platform.redis));
  await run('load', () => benchLiveLoad(platform));
  await run('worker', () => benchWorkerBrowser(platform.emulator, platform.redis));
  await run('pages', () => benchPages(platform));
  await run('search', () => benchJobSearch(platform.redis));
  await run('bull-board', () => benchBullBoard());
  await run('tail', () => benchTailFanout(platform));
  await run('log-search', () => benchLogSearch(platform));
  await run('diagnosis', () => benchDiagnosis(platform));
  printReport();
  writeReport(REPORT_FILE, {
    at: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    only: only ?? null,
    failed: failures,
  });
  console.log(
    `\nwritten to ${path.relative(process.cwd(), REPORT_FILE)}${failures.length ? ` (failed: ${failures.join(', ')})` : ''}`,
  );
} finally {
  await platform.stop();
  rmSync(stateDir, { recursive: true, force: true });
}
// The data layer keeps its Redis connections for the life of the process, as a server does;
// they would reconnect to the stopped Redis forever. A script ends here.
process.exit(failures.length ? 1 : 0);
