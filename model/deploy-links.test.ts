import { describe, expect, it } from 'vitest';
import { revisionFromRun } from './deploy-links';
import type { TaskDefinitionRevision } from './schemas/ecs';
import type { DeployRun } from './schemas/github';

const revision = (tag: string | null): TaskDefinitionRevision => ({
  arn: 'arn',
  family: 'f',
  revision: 1,
  registeredAt: null,
  cpu: null,
  memory: null,
  containers: [{ name: 'api', image: `repo:${tag}`, tag, digest: null, environmentNames: [], secretNames: [] }],
});
const run = (sha: string, imageTag: string | null = null) => ({ sha, imageTag }) as DeployRun;

describe('revisionFromRun', () => {
  it('links a revision to the run whose commit its image is tagged with (full or short SHA) or whose image tag it runs', () => {
    const sha = 'a3f9c2e1b4d5a3f9c2e1b4d5a3f9c2e1b4d5a3f9';
    expect(revisionFromRun(revision(sha), run(sha))).toBe(true);
    expect(revisionFromRun(revision(sha.slice(0, 12)), run(sha))).toBe(true);
    expect(revisionFromRun(revision('v1.4.2'), run(sha, 'v1.4.2'))).toBe(true);
  });
  it('does not link other images, tags too short to mean a commit, or untagged images', () => {
    const sha = 'a3f9c2e1b4d5a3f9c2e1b4d5a3f9c2e1b4d5a3f9';
    expect(revisionFromRun(revision('b'.repeat(40)), run(sha))).toBe(false);
    expect(revisionFromRun(revision('a3f'), run(sha))).toBe(false);
    expect(revisionFromRun(revision(null), run(sha))).toBe(false);
    expect(revisionFromRun(revision(sha), run(sha, 'v2'))).toBe(false);
  });
});
