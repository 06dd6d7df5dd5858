/** What the workflows promise the rest of the repo, beyond what actionlint checks. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEPLOY_WORKFLOW, DEPLOY_WORKFLOW_INPUTS } from '@/contracts/platform';
import { repoPath } from '../../scripts/platform';

const dir = repoPath('.github', 'workflows');
const load = (file: string) => parse(readFileSync(path.join(dir, file), 'utf8'));
const files = readdirSync(dir).filter((f) => f.endsWith('.yml'));

describe('GitHub Actions workflows', () => {
  it('the deploy workflow takes exactly the inputs lib/github.ts dispatches', () => {
    const deploy = load(DEPLOY_WORKFLOW);
    expect(Object.keys(deploy.on.workflow_dispatch.inputs).sort()).toEqual([...DEPLOY_WORKFLOW_INPUTS].sort());
    expect(deploy.on.workflow_dispatch.inputs.environment.options).toEqual(['staging', 'production']);
  });

  it('deploys one environment at a time, never cancelling a running deploy', () => {
    const deploy = load(DEPLOY_WORKFLOW);
    expect(deploy.concurrency).toEqual({ group: 'deploy-${{ inputs.environment }}', 'cancel-in-progress': false });
  });

  it('default to read-only permissions; only jobs that assume an AWS role get id-token: write', () => {
    for (const file of files) {
      const workflow = load(file);
      expect(workflow.permissions, file).toEqual({ contents: 'read' });
      for (const [name, job] of Object.entries<{ permissions?: Record<string, string>; steps: { uses?: string }[] }>(
        workflow.jobs,
      )) {
        const assumesRole = job.steps.some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
        expect(job.permissions?.['id-token'] === 'write', `${file} ${name}`).toBe(assumesRole);
      }
    }
  });

  it('pin every action to a full commit SHA with its version beside it', () => {
    for (const file of files) {
      const text = readFileSync(path.join(dir, file), 'utf8');
      for (const m of text.matchAll(/uses:\s*(\S+)(.*)$/gm)) {
        expect(m[1], `${file}: ${m[1]}`).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
        expect(m[2], `${file}: ${m[1]}`).toMatch(/# v\d+\.\d+\.\d+/);
      }
    }
  });

  it('audit the production dependencies on every change, failing on a high or critical advisory', () => {
    const ci = load('ci.yml');
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
    const steps = Object.values<{ steps: { run?: string }[] }>(ci.jobs).flatMap((job) => job.steps);
    expect(steps.map((s) => s.run)).toContain('npm audit --omit=dev --audit-level=high');
  });
});
