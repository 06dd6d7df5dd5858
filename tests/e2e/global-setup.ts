/**
 * Builds the control plane and starts it on the seeded local platform (the same one
 * `npm run demo` starts); the tests find it at PILOTHOUSE_E2E_URL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import {
  buildControlPlane,
  LOCAL_USERS,
  startControlPlane,
  startSeededPlatform,
  timedStep,
} from '../../scripts/platform';
import { signInInBrowser } from '../support/browser-sign-in';
import config from '../../playwright.config';

/** Browser sessions of the seeded people, made by signing in once (tests pick one with test.use). */
export const AUTH_DIR = path.join(import.meta.dirname, '.auth');
export const authState = (who: keyof typeof LOCAL_USERS) => path.join(AUTH_DIR, `${who}.json`);

export default async function globalSetup() {
  const step = timedStep((line) => console.log(line));
  await buildControlPlane(step);
  const stateDir = mkdtempSync(path.join(tmpdir(), 'pilothouse-e2e-'));
  const platform = await startSeededPlatform({ stateDir, step, taskStepSeconds: 0.2 });
  try {
    const controlPlane = await startControlPlane(platform, { step });
    process.env.PILOTHOUSE_E2E_URL = controlPlane.url;
    process.env.PILOTHOUSE_E2E_EMULATOR_URL = platform.emulator.url;
    process.env.PILOTHOUSE_E2E_GITHUB_URL = platform.github.url;
    process.env.PILOTHOUSE_E2E_REGISTRY_FILE = platform.registryFile;
    process.env.PILOTHOUSE_E2E_REDIS_URL = platform.redis.url;
    process.env.PILOTHOUSE_E2E_EMULATOR_PID = String(platform.emulator.pid);
    // The control plane's server secrets, for the test that looks for them in what browsers get.
    const { NEXTAUTH_SECRET, GITHUB_OAUTH_CLIENT_SECRET, GITHUB_TOKEN, REDIS_URL, CRON_SECRET } = platform.env;
    process.env.PILOTHOUSE_E2E_SERVER_SECRETS = JSON.stringify({
      NEXTAUTH_SECRET,
      GITHUB_OAUTH_CLIENT_SECRET,
      GITHUB_TOKEN,
      REDIS_URL,
      CRON_SECRET,
    });
    const done = step('signing in the seeded people through the OAuth flow');
    const browser = await chromium.launch(config.use?.launchOptions);
    try {
      for (const who of ['operator', 'viewer', 'stagingOperator'] as const) {
        const context = await browser.newContext();
        await signInInBrowser(await context.newPage(), controlPlane.url, LOCAL_USERS[who].login);
        await context.storageState({ path: authState(who) });
        await context.close();
      }
    } finally {
      await browser.close();
    }
    done();
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
