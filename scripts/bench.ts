/**
 * `npm run bench`: measured figures, each printed with the ratio it is about.
 * Starts its own redis-server and AWS emulator on free ports and stops them.
 * Runs with the `react-server` condition, so lib's `server-only` guard resolves as on the server.
 */
import { benchEcsBatching } from './bench/ecs-batching';
import { benchReaders } from './bench/readers';
import { benchWorkerBrowser } from './bench/worker-browser';
import { EMULATOR_CREDENTIALS, startEmulator, startRedis } from './local-platform';
import { startGithubStandin } from './github-standin';
import { seedPlatform } from './seed';

const [emulator, redis] = await Promise.all([startEmulator(), startRedis()]);
const stops: (() => Promise<void>)[] = [];
try {
  const registry = await seedPlatform({ emulatorUrl: emulator.url, redisUrl: redis.url });
  const { owner, repo, deployWorkflow } = registry.environments[0].github;
  const github = await startGithubStandin({ token: 'ghs_bench', owner, repo, workflow: deployWorkflow, history: 4 });
  stops.push(github.close);
  // What `next start` is given by the demo: lib/config reads these on first use.
  Object.assign(process.env, {
    PILOTHOUSE_ENVIRONMENTS: JSON.stringify(registry),
    AWS_ENDPOINT_URL: emulator.url,
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    REDIS_URL: redis.url,
    GITHUB_TOKEN: 'ghs_bench',
    GITHUB_API_URL: github.url,
  });
  const only = process.argv[2];
  if (!only || only === 'ecs') await benchEcsBatching(emulator);
  if (!only || only === 'readers') await benchReaders(emulator, redis);
  if (!only || only === 'worker') await benchWorkerBrowser(emulator, redis);
} finally {
  await Promise.all([emulator.stop(), redis.stop(), ...stops.map((stop) => stop())]);
}
