import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'tests/e2e',
  globalSetup: './tests/e2e/global-setup.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  timeout: 30_000,
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
