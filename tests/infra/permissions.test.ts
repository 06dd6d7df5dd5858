/**
 * Least privilege, held against the code: every AWS command the control plane (lib/, app/) and
 * the worker (worker/) send is allowed by their role in infrastructure/modules/iam, and the
 * control plane's role allows nothing its code does not send. It compares actions, not the
 * resources they are granted on (those are checked in terraform.test.ts where they matter). The emulator enforces no IAM, so without
 * this a missing permission would first show in production, and a stale one never.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoPath } from '../../scripts/platform';
import { INFRA, loadHcl, type Block } from '../support/hcl';

/** The SDK package to the IAM service prefix. */
const PREFIX: Record<string, string> = {
  ecs: 'ecs',
  'elastic-load-balancing-v2': 'elasticloadbalancing',
  cloudwatch: 'cloudwatch',
  'cloudwatch-logs': 'logs',
  'application-auto-scaling': 'application-autoscaling',
  ecr: 'ecr',
  ssm: 'ssm',
  s3: 's3',
};
/** Where the IAM action is not the operation's name (the S3 API reference lists them). */
const ACTION_OF: Record<string, string> = { 's3:ListObjectsV2': 's3:ListBucket' };
/** What an operation also needs from another service, as AWS documents it: SSE-KMS objects. */
const IMPLIED: Record<string, string[]> = { 's3:PutObject': ['kms:GenerateDataKey'], 's3:GetObject': ['kms:Decrypt'] };

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return sources(full);
    return /\.tsx?$/.test(entry) && !/\.test\.tsx?$/.test(entry) ? [full] : [];
  });
}

/** The IAM actions a source tree's AWS calls need: each `new XCommand(` or `paginateX(` of an imported client. */
function actionsUsed(dir: string): Set<string> {
  const used = new Set<string>();
  for (const file of sources(dir)) {
    const text = readFileSync(file, 'utf8');
    for (const [, names, pkg] of text.matchAll(/import\s*{([^}]+)}\s*from\s*['"]@aws-sdk\/client-([a-z0-9-]+)['"]/g)) {
      const prefix = PREFIX[pkg];
      // A client this test does not know must be added above, not skipped: its calls need IAM too.
      if (!prefix)
        throw new Error(
          `${path.relative(repoPath(), file)} uses @aws-sdk/client-${pkg}: add its IAM prefix to this test`,
        );
      for (const name of names.split(',').map((n) => n.trim().replace(/^type\s+/, ''))) {
        const operation = /^(\w+)Command$/.exec(name)?.[1] ?? /^paginate(\w+)$/.exec(name)?.[1];
        if (!operation || !new RegExp(`\\b${name}\\b`).test(text.replace(/import[^;]+;/g, ''))) continue;
        const action = ACTION_OF[`${prefix}:${operation}`] ?? `${prefix}:${operation}`;
        used.add(action);
        for (const implied of IMPLIED[action] ?? []) used.add(implied);
      }
    }
  }
  return used;
}

async function allowed(document: string): Promise<Set<string>> {
  const iam = await loadHcl(path.join(INFRA, 'modules', 'iam'));
  const [block] = iam.data!.aws_iam_policy_document[document] as Block[];
  // Allow statements only (a Deny grants nothing).
  return new Set(
    (block.statement as Block[])
      .filter((st) => (st.effect ?? 'Allow') === 'Allow')
      .flatMap((st) => st.actions as string[]),
  );
}

describe('IAM held against the code that uses it', () => {
  it('the control plane’s role allows exactly the AWS actions lib/ and app/ send', async () => {
    const used = new Set([...actionsUsed(repoPath('lib')), ...actionsUsed(repoPath('app'))]);
    const granted = await allowed('control_plane');
    expect([...used].filter((a) => !granted.has(a)).sort(), 'sent by lib/ or app/ but not allowed').toEqual([]);
    expect([...granted].filter((a) => !used.has(a)).sort(), 'allowed but never sent').toEqual([]);
    // The scan sees what it should: a sample of calls known to be made.
    expect(used).toContain('ecs:UpdateService');
    expect(used).toContain('s3:ListBucket');
    expect(used).toContain('kms:Decrypt');
  });

  it('the worker’s role allows every AWS action worker/ sends', async () => {
    const used = actionsUsed(repoPath('worker'));
    const granted = await allowed('worker');
    expect([...used].sort()).toEqual(['cloudwatch:PutMetricData', 'kms:GenerateDataKey', 's3:PutObject']);
    expect([...used].filter((a) => !granted.has(a))).toEqual([]);
  });
});
