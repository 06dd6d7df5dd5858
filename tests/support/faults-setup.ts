/** The platform of the `integration-faults` project: its own emulator and Redis, and the built api and worker its faults run. */
import type { TestProject } from 'vitest/node';
import { startPlatformFor } from './global-setup';

export default function setup(project: TestProject) {
  // Its own build check: this project may start before (or without) the integration project's setup.
  return startPlatformFor(project, { buildServices: true });
}
