/**
 * Starts one redis-server and one AWS emulator for a vitest project, seeds the emulator as
 * `npm run demo` does, and stops both afterwards. Each integration project gets its own
 * (vitest.config.ts), so files that change the seeded state never race files that read it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { tsImport } from 'tsx/esm/api';

declare module 'vitest' {
  export interface ProvidedContext {
    emulatorUrl: string;
    redisUrl: string;
    /** The seeded environment registry, as JSON text. */
    registryJson: string;
  }
}

export async function startPlatformFor(project: TestProject, options: { buildServices: boolean }) {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'pilothouse-test-'));
  // Fast rollouts: one task per 0.1 s, so rollout tests take a second, not a minute.
  // Loaded through tsx in plain Node: vite's module runner takes ~12 s over the AWS SDK.
  const { startSeededPlatform } = (await tsImport(
    '../../scripts/platform/index.ts',
    import.meta.url,
  )) as typeof import('../../scripts/platform');
  if (options.buildServices) {
    const { buildServices } = (await tsImport(
      '../../scripts/platform/index.ts',
      import.meta.url,
    )) as typeof import('../../scripts/platform');
    await buildServices();
  }
  const platform = await startSeededPlatform({ stateDir, step: () => () => {}, taskStepSeconds: 0.1 });
  project.provide('emulatorUrl', platform.emulator.url);
  project.provide('redisUrl', platform.redis.url);
  project.provide('registryJson', readFileSync(platform.registryFile, 'utf8'));
  return async () => {
    await platform.stop();
    rmSync(stateDir, { recursive: true, force: true });
  };
}

export default function setup(project: TestProject) {
  return startPlatformFor(project, { buildServices: true });
}
