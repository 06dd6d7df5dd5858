import path from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * The projects:
 * - unit: beside the code (lib/, worker/, components/, scripts/) and the static checks of the
 *   infrastructure (tests/infra/); no servers;
 * - integration: against a real redis-server and the AWS emulator, started by the global setup;
 * - integration-shared-state: the files that change the seeded environments (target health,
 *   scaling), on an emulator of their own, one file at a time, so they never race the files
 *   that read the seeded state;
 * - integration-faults: the diagnosis's scripted faults (tests/integration/diagnosis.test.ts), on
 *   an emulator and Redis of their own, since they break staging on purpose;
 * - terraform: infrastructure/ applied to an emulator of its own with OpenTofu and the AWS
 *   provider (minutes, mostly the provider waiting); `npm test` runs it after the others.
 */
const SHARED_STATE_WRITERS = [
  'tests/integration/aws-reads.test.ts',
  'tests/integration/emulator.test.ts',
  'tests/integration/history.test.ts',
];
/** The scripted faults of the diagnosis: they break staging six ways, on an emulator and Redis of their own. */
const FAULTS = ['tests/integration/diagnosis.test.ts'];

const common = {
  resolve: {
    alias: {
      '@': import.meta.dirname,
      // `server-only` throws outside React's server build; tests run the server code directly.
      'server-only': path.join(import.meta.dirname, 'tests/support/server-only.ts'),
    },
  },
};
const testDefaults = {
  testTimeout: 30_000,
  hookTimeout: 60_000,
  env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  // A Redis client left connected after a file's tests fails that file.
  setupFiles: ['tests/support/redis-clients.ts'],
};

export default defineConfig({
  ...common,
  test: {
    projects: [
      {
        ...common,
        test: {
          ...testDefaults,
          name: 'unit',
          include: [
            'lib/**/*.test.ts',
            'model/**/*.test.ts',
            'contracts/**/*.test.ts',
            'worker/**/*.test.ts',
            'components/**/*.test.{ts,tsx}',
            'scripts/**/*.test.ts',
            'tests/infra/**/*.test.ts',
          ],
        },
      },
      {
        ...common,
        test: {
          ...testDefaults,
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          exclude: [...SHARED_STATE_WRITERS, ...FAULTS],
          globalSetup: ['tests/support/global-setup.ts'],
        },
      },
      {
        ...common,
        test: {
          ...testDefaults,
          name: 'integration-shared-state',
          include: SHARED_STATE_WRITERS,
          globalSetup: ['tests/support/shared-state-setup.ts'],
          fileParallelism: false,
        },
      },
      {
        ...common,
        test: {
          ...testDefaults,
          name: 'integration-faults',
          include: FAULTS,
          globalSetup: ['tests/support/faults-setup.ts'],
        },
      },
      {
        ...common,
        test: {
          ...testDefaults,
          name: 'terraform',
          include: ['tests/terraform/**/*.test.ts'],
          testTimeout: 10 * 60_000,
          hookTimeout: 15 * 60_000,
        },
      },
    ],
  },
});
