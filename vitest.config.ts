import path from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

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
 * - integration-measured: the files that compare costs between two runs and count ticks
 *   (live updates, the live tail), on their own platform, one at a time, after the others:
 *   alone on the machine, so no other file's work counts against them;
 * - terraform: infrastructure/ applied to an emulator of its own with OpenTofu and the AWS
 *   provider (minutes, mostly the provider waiting); `npm test` runs it beside the integration
 *   files, in the same vitest run.
 */
const SHARED_STATE_WRITERS = [
  'tests/integration/aws-reads.test.ts',
  'tests/integration/emulator.test.ts',
  'tests/integration/history.test.ts',
];
/** The scripted faults of the diagnosis: they break staging six ways, on an emulator and Redis of their own. */
const FAULTS = ['tests/integration/diagnosis.test.ts'];
/** Files whose assertions are ratios of work measured over a window: they run alone. */
const MEASURED = ['tests/integration/live.test.ts', 'tests/integration/log-tail.test.ts'];
/**
 * The integration files mostly wait (on a server, a tick, a job): three at a time keep two
 * cores busy. (Vitest's default on two cores is one.)
 */
const INTEGRATION_WORKERS = 3;

/**
 * The files that take minutes, longest first: started first, they run beside the short ones
 * instead of after them. (Without timings from an earlier run, as in a fresh clone, vitest
 * starts the largest files first, and the Terraform file is small.)
 */
const LONGEST_FIRST = [
  'tests/terraform/apply.test.ts',
  'tests/integration/services.test.ts',
  'tests/integration/job-faults.test.ts',
  'tests/integration/diagnosis.test.ts',
];
class LongestFirst extends BaseSequencer {
  async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification) => {
      const at = LONGEST_FIRST.findIndex((file) => spec.moduleId.endsWith(file));
      return at === -1 ? LONGEST_FIRST.length : at;
    };
    // Stable: within a rank, vitest's own order.
    return (await super.sort(files)).sort(
      (a, b) => a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder || rank(a) - rank(b),
    );
  }
}

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
    sequence: { sequencer: LongestFirst },
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
          exclude: [...SHARED_STATE_WRITERS, ...FAULTS, ...MEASURED],
          globalSetup: ['tests/support/global-setup.ts'],
          maxWorkers: INTEGRATION_WORKERS,
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
          maxWorkers: INTEGRATION_WORKERS,
        },
      },
      {
        ...common,
        test: {
          ...testDefaults,
          name: 'integration-measured',
          include: MEASURED,
          globalSetup: ['tests/support/shared-state-setup.ts'],
          // One worker and the default group order: vitest runs these last, one file at a time.
          fileParallelism: false,
        },
      },
      {
        ...common,
        test: {
          ...testDefaults,
          name: 'terraform',
          include: ['tests/terraform/**/*.test.ts'],
          // Beside the integration files (one group needs one worker count): mostly the provider waiting.
          maxWorkers: INTEGRATION_WORKERS,
          testTimeout: 10 * 60_000,
          hookTimeout: 15 * 60_000,
        },
      },
    ],
  },
});
