import { describe, expect, it } from 'vitest';
import type { TaskDefinitionRevision } from './schemas/ecs';
import { diffRevisions } from './task-definition-diff';

const repo = '123456789012.dkr.ecr.us-east-1.amazonaws.com/pilothouse-staging/api';
const revision = (
  n: number,
  over: Partial<TaskDefinitionRevision> = {},
  container: Partial<TaskDefinitionRevision['containers'][number]> = {},
): TaskDefinitionRevision => ({
  arn: `arn:aws:ecs:us-east-1:123456789012:task-definition/api:${n}`,
  family: 'api',
  revision: n,
  registeredAt: null,
  cpu: '256',
  memory: '512',
  containers: [
    {
      name: 'api',
      image: `${repo}:tag${n}`,
      tag: `tag${n}`,
      digest: null,
      environmentNames: ['LOG_LEVEL', 'PORT'],
      secretNames: ['API_KEYS', 'REDIS_URL'],
      ...container,
    },
  ],
  ...over,
});

describe('diffRevisions', () => {
  it('names the image, digest, CPU/memory and the variable and secret names that change, never values', () => {
    const digests: Record<string, string> = { tag3: 'sha256:' + '3'.repeat(64), tag2: 'sha256:' + '2'.repeat(64) };
    const diff = diffRevisions(
      revision(
        3,
        { cpu: '512', memory: '1024' },
        { environmentNames: ['LOG_LEVEL', 'NEW_FLAG', 'PORT'], secretNames: ['API_KEYS', 'REDIS_URL', 'SENTRY_DSN'] },
      ),
      revision(2),
      (c) => digests[c.tag!] ?? null,
    );
    expect(diff).toEqual({
      cpu: { from: '512', to: '256' },
      memory: { from: '1024', to: '512' },
      identical: false,
      containers: [
        {
          name: 'api',
          presence: 'both',
          image: { from: `${repo}:tag3`, to: `${repo}:tag2` },
          digest: { from: digests.tag3, to: digests.tag2 },
          environment: { added: [], removed: ['NEW_FLAG'] },
          secrets: { added: [], removed: ['SENTRY_DSN'] },
        },
      ],
    });
  });

  it('sees a same-tag revision with a different pinned digest, and calls equal revisions identical', () => {
    const a = revision(
      2,
      {},
      { image: `${repo}@sha256:${'a'.repeat(64)}`, tag: null, digest: `sha256:${'a'.repeat(64)}` },
    );
    const b = revision(
      1,
      {},
      { image: `${repo}@sha256:${'b'.repeat(64)}`, tag: null, digest: `sha256:${'b'.repeat(64)}` },
    );
    expect(diffRevisions(a, b).containers[0].digest).toEqual({
      from: `sha256:${'a'.repeat(64)}`,
      to: `sha256:${'b'.repeat(64)}`,
    });
    expect(
      diffRevisions(
        revision(2, {}, { image: `${repo}:same`, tag: 'same' }),
        revision(1, {}, { image: `${repo}:same`, tag: 'same' }),
      ).identical,
    ).toBe(true);
  });

  it('reports a container present in only one revision', () => {
    const withSidecar = revision(3);
    withSidecar.containers.push({
      name: 'otel',
      image: 'otel/collector:0.99',
      tag: '0.99',
      digest: null,
      environmentNames: [],
      secretNames: ['OTEL_EXPORTER_OTLP_HEADERS'],
    });
    const diff = diffRevisions(withSidecar, revision(2));
    expect(diff.containers.find((c) => c.name === 'otel')).toMatchObject({
      presence: 'removed',
      image: { from: 'otel/collector:0.99', to: null },
      secrets: { added: [], removed: ['OTEL_EXPORTER_OTLP_HEADERS'] },
    });
  });
});
