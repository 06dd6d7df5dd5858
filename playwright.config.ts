import { defineConfig } from '@playwright/test';

/**
 * Two lanes side by side, so the suite's waiting overlaps (a live test mostly waits for the
 * next tick), then a third alone:
 * - shared-platform: the files on the platform the global setup starts, one at a time (they
 *   change what the others read: a target made unhealthy, a service scaled), and the two short
 *   files that start a platform of their own (actions, two instances);
 * - screens-and-outage: the two long files with a platform and control plane of their own;
 * - alone: once both are done, the files that need the machine to themselves: the load test
 *   compares costs and memory between two runs, and the failed-job test races a real
 *   Chromium against 6 s navigation timeouts (on a busy machine an attempt times out whole,
 *   and leaves no evidence to show).
 * (A third lane beside these two made the outage file's direct AWS reads pass the cache's 8 s
 * deadline while its Redis was paused.)
 */
const SCREENS_AND_OUTAGE = ['screens.spec.ts', 'outage.spec.ts'];
const ALONE = ['job-evidence.spec.ts', 'load.spec.ts'];

export default defineConfig({
  testDir: 'tests/e2e',
  globalSetup: './tests/e2e/global-setup.ts',
  fullyParallel: false,
  workers: 2,
  retries: 0,
  reporter: [['list']],
  timeout: 30_000,
  projects: [
    { name: 'shared-platform', testIgnore: [...SCREENS_AND_OUTAGE, ...ALONE], workers: 1 },
    { name: 'screens-and-outage', testMatch: SCREENS_AND_OUTAGE, workers: 1 },
    { name: 'alone', testMatch: ALONE, workers: 1, dependencies: ['shared-platform', 'screens-and-outage'] },
  ],
  use: {
    // Debian's Chromium: Playwright's own browser downloads cannot reach this network.
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
    // Signed in as the seeded operator (tests/e2e/global-setup.ts); a test that needs someone else says so.
    storageState: 'tests/e2e/.auth/operator.json',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
});
