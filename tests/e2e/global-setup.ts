/**
 * Builds the control plane and starts it on the seeded local platform (the same one
 * `npm run demo` starts); the tests find it at PILOTHOUSE_E2E_URL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildControlPlane, startControlPlane, startSeededPlatform, timedStep } from '../../scripts/seeded-platform';

export default async function globalSetup() {
  const step = timedStep((line) => console.log(line));
  await buildControlPlane(step);
  const stateDir = mkdtempSync(path.join(tmpdir(), 'pilothouse-e2e-'));
  const platform = await startSeededPlatform({ stateDir, step, taskStepSeconds: 0.2 });
  try {
    const controlPlane = await startControlPlane(platform, { step });
    process.env.PILOTHOUSE_E2E_URL = controlPlane.url;
    process.env.PILOTHOUSE_E2E_EMULATOR_URL = platform.emulator.url;
    process.env.PILOTHOUSE_E2E_REGISTRY_FILE = platform.registryFile;
    process.env.PILOTHOUSE_E2E_REDIS_URL = platform.redis.url;
    process.env.PILOTHOUSE_E2E_EMULATOR_PID = String(platform.emulator.pid);
    return async () => {
      await controlPlane.stop();
      await platform.stop();
      rmSync(stateDir, { recursive: true, force: true });
    };
  } catch (err) {
    await platform.stop();
    throw err;
  }
}
