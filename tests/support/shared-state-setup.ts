/** The platform of the `integration-shared-state` and `integration-measured` projects: an emulator of their own each, no services build. */
import type { TestProject } from 'vitest/node';
import { startPlatformFor } from './global-setup';

export default function setup(project: TestProject) {
  return startPlatformFor(project, { buildServices: false });
}
