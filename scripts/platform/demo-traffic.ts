/**
 * The demo's platform services: the `api` and `worker` for staging, a local site for the
 * worker to render, and a gentle job generator so the queues move while you watch.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { EMULATOR_CREDENTIALS } from './local-platform';
import { taskLogDestination } from './log-forwarder';
import { artifactsBucket, SEEDED } from './seed';
import type { SeededPlatform, Step } from './seeded-platform';
import { buildServices, startApi, startWorker } from './services';
import { startTargetSite } from './target-site';

/** About one job every 3 s: enough to see queues move, little enough for 2 cores. */
const JOB_INTERVAL_MS = 3_000;

export async function startDemoTraffic(
  platform: SeededPlatform,
  stateDir: string,
  step: Step,
  log: (line: string) => void,
) {
  await buildServices(log);
  const done = step('starting the api and worker for staging, and the job generator');
  const site = await startTargetSite();
  const apiKey = randomBytes(18).toString('base64url');
  const keyFile = path.join(stateDir, 'api-key');
  writeFileSync(keyFile, `${apiKey}\n`, { mode: 0o600 });
  const staging = platform.registry.environments.find((e) => e.name === 'staging')!;
  const env = {
    REDIS_URL: staging.queues.redisUrl,
    ARTIFACTS_BUCKET: artifactsBucket('staging'),
    AWS_REGION: SEEDED.staging.region,
    AWS_ENDPOINT_URL: platform.emulator.url,
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    WORKER_URL_ALLOWLIST: site.host,
    API_KEYS: `demo:${apiKey}`,
    WORKER_CONCURRENCY: '1',
    ENVIRONMENT: 'staging',
  };
  // Each stands in for one of its service's running tasks: what it writes is that task's log stream.
  const logsOf = (role: 'api' | 'worker') =>
    taskLogDestination({
      emulatorUrl: platform.emulator.url,
      region: staging.aws.region,
      cluster: staging.ecs.cluster,
      role,
    });
  const [api, worker] = await Promise.all([
    logsOf('api').then((logs) => startApi(env, { logs })),
    logsOf('worker').then((logs) => startWorker(env, { logs })),
  ]);

  const kinds = [
    { kind: 'screenshot', input: { url: `${site.url}/`, fullPage: true } },
    { kind: 'scrape', input: { url: `${site.url}/`, selectors: ['.price', 'h1'] } },
    { kind: 'pdf', input: { url: `${site.url}/slow?ms=800` } },
  ];
  let sent = 0;
  const timer = setInterval(() => {
    const body = kinds[sent++ % kinds.length];
    fetch(`${api.url}/api/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify(body),
    }).catch(() => {}); // the generator is scenery: a refused job must not stop the demo
  }, JOB_INTERVAL_MS);
  done();

  return {
    apiUrl: api.url,
    siteUrl: site.url,
    keyFile,
    async stop() {
      clearInterval(timer);
      await Promise.all([worker.stop(), api.stop()]);
      await site.close();
    },
  };
}
