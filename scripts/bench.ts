/**
 * `npm run bench`: measured figures, each printed with the ratio it is about.
 * Starts its own redis-server and AWS emulator on free ports and stops them.
 * Runs with the `react-server` condition, so lib's `server-only` guard resolves as on the server.
 */
import { benchEcsBatching } from './bench/ecs-batching';
import { benchWorkerBrowser } from './bench/worker-browser';
import { startEmulator, startRedis } from './local-platform';

const [emulator, redis] = await Promise.all([startEmulator(), startRedis()]);
try {
  await benchEcsBatching(emulator);
  await benchWorkerBrowser(emulator, redis);
} finally {
  await Promise.all([emulator.stop(), redis.stop()]);
}
