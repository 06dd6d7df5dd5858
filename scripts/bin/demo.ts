/**
 * `npm run demo`: the control plane on a seeded local platform. Ctrl-C stops everything.
 * (scripts/bin/ensure-tools.sh has installed what was missing before this runs.)
 * With PILOTHOUSE_DEMO_TERRAFORM=1 the platform is made by applying infrastructure/ with
 * OpenTofu (the first time on a machine, that builds the AWS provider: ~30 min).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import getPort from 'get-port';
import { ROOT } from '../platform/local-platform';
import {
  buildControlPlane,
  LOCAL_USERS,
  startControlPlane,
  startSeededPlatform,
  timedStep,
  type SeededPlatform,
} from '../platform/seeded-platform';
import type { RunningServer } from '../platform/local-platform';
import { startDemoTraffic } from '../platform/demo-traffic';

const log = (line: string) => console.log(line);
const step = timedStep(log);
const started = Date.now();

let platform: SeededPlatform | undefined;
let controlPlane: RunningServer | undefined;
let traffic: Awaited<ReturnType<typeof startDemoTraffic>> | undefined;
let stopping = false;

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  log('\n▸ stopping everything the demo started ...');
  await controlPlane?.stop();
  await traffic?.stop();
  await platform?.stop();
  log('  stopped.');
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  const wanted = Number(process.env.PORT ?? 3000);
  // The port asked for when it is free, any free one otherwise (get-port checks it).
  const port = await getPort({ host: '127.0.0.1', port: wanted });
  await buildControlPlane(step);
  const stateDir = path.join(ROOT, '.local');
  const terraform = process.env.PILOTHOUSE_DEMO_TERRAFORM === '1';
  if (terraform)
    execFileSync('bash', [path.join(ROOT, 'scripts', 'bin', 'ensure-tools.sh'), '--infra'], { stdio: 'inherit' });
  platform = await startSeededPlatform({ stateDir, step, terraform });
  traffic = await startDemoTraffic(platform, stateDir, step, log);
  controlPlane = await startControlPlane(platform, { port, step });
  log('');
  log(`Pilothouse is up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${controlPlane.url}`);
  log(`  redis        ${platform.redis.url}`);
  log(`  AWS emulator ${platform.emulator.url}  (control API: ${platform.emulator.url}/_pilothouse/)`);
  log(`  registry     ${path.relative(ROOT, platform.registryFile)}`);
  log(`  GitHub       ${platform.github.url}  (local stand-in: records deploy dispatches, reports runs)`);
  log(
    `  job api      ${traffic.apiUrl}  (staging; a job every 3 s; your key: ${path.relative(ROOT, traffic.keyFile)})`,
  );
  log(
    `    curl -H "authorization: Bearer $(cat ${path.relative(ROOT, traffic.keyFile)})" -H 'content-type: application/json' \\`,
  );
  log(
    `      -d '{"kind":"scrape","input":{"url":"${traffic.siteUrl}/","selectors":["h1"]}}' ${traffic.apiUrl}/api/jobs`,
  );
  log("Sign in with GitHub (the local stand-in's page lets you choose who you are):");
  for (const user of Object.values(LOCAL_USERS)) log(`  ${user.login.padEnd(16)} ${user.note}`);
  log('Press Ctrl-C to stop.');
} catch (err) {
  console.error(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}`);
  await shutdown(1);
}
