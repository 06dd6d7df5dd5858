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
type Step = { uses?: string; run?: string; if?: string; with?: Record<string, unknown> };
type Job = { 'timeout-minutes'?: number; services?: Record<string, { ports?: string[] }>; steps: Step[] };

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

  it("CI's test job fits a cold runner: the tool and Go caches keyed on the pinned versions, a timeout the provider build and the suite fit in", () => {
    const test = load('ci.yml').jobs.test as Job;
    // A cold runner builds the provider and OpenTofu (36 min measured on a bare 2-core machine,
    // README) before the suite (budget 25 min); CI here stops at 90.
    const COLD_TOOLS_MINUTES = 40;
    const SUITE_BUDGET_MINUTES = 25;
    expect(test['timeout-minutes']).toBeGreaterThanOrEqual(COLD_TOOLS_MINUTES + SUITE_BUDGET_MINUTES);
    expect(test['timeout-minutes']).toBeLessThanOrEqual(90);
    const caches = test.steps.filter((s) => s.uses?.startsWith('actions/cache@'));
    const cached = (dir: string) => caches.find((c) => String(c.with?.path).split('\n').includes(dir));
    const npmTest = test.steps.findIndex((s) => s.run === 'npm test');
    for (const dir of ['~/.cache/pilothouse', '~/go/pkg/mod', '~/.cache/go-build']) {
      const cache = cached(dir);
      expect(cache, dir).toBeDefined();
      expect(String(cache!.with?.key), dir).toContain("hashFiles('scripts/tools/versions.env')");
      expect(test.steps.indexOf(cache!), `${dir} is restored before npm test`).toBeLessThan(npmTest);
    }
    // The cache is keyed on the file ensure-tools.sh really builds from.
    expect(readFileSync(repoPath('scripts/bin/ensure-tools.sh'), 'utf8')).toContain('. scripts/tools/versions.env');
    expect(readFileSync(repoPath('scripts/tools/versions.env'), 'utf8')).toMatch(/^AWS_PROVIDER_MODULE_VERSION=/m);
  });

  it('CI builds both images with buildx (no push, a layer cache) and smoke-runs them against Redis; deploy.yml builds with the same settings', () => {
    const images = load('ci.yml').jobs.images as Job;
    expect(images.services?.redis?.ports).toEqual(['6379:6379']);
    expect(images.steps.some((s) => s.uses?.startsWith('docker/setup-buildx-action@'))).toBe(true);
    const deploy = Object.values<Job>(load(DEPLOY_WORKFLOW).jobs)[0];
    for (const target of ['api', 'worker']) {
      const build = images.steps.find(
        (s) => s.uses?.startsWith('docker/build-push-action@') && s.with?.target === target,
      );
      expect(build?.with, target).toMatchObject({
        push: false,
        load: true,
        'cache-from': `type=gha,scope=${target}`,
        'cache-to': `type=gha,scope=${target},mode=max`,
      });
      const shipped = deploy.steps.find(
        (s) => s.uses?.startsWith('docker/build-push-action@') && s.with?.target === target,
      );
      expect(shipped?.uses, target).toBe(build!.uses);
      const settings = ({ push, load, tags, ...rest }: Record<string, unknown>) => (void [push, load, tags], rest);
      expect(settings(shipped!.with!), `${target}: deploy.yml builds as CI does`).toEqual(settings(build!.with!));
      expect(shipped!.with!.push).toBe(true);
    }
    const smoke = images.steps.at(-1)!;
    expect(smoke.run).toBe('bash scripts/bin/smoke-images.sh pilothouse/api:ci pilothouse/worker:ci');
    const script = readFileSync(repoPath('scripts/bin/smoke-images.sh'), 'utf8');
    expect(script).toContain('http://127.0.0.1:8000/api/health/');
    expect(script).toMatch(/docker stop .*pilothouse-worker-smoke/);
    expect(script).toContain('"stopped"');
  });

  it('audit the production dependencies on every change, failing on a high or critical advisory', () => {
    const ci = load('ci.yml');
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
    const steps = Object.values<{ steps: { run?: string }[] }>(ci.jobs).flatMap((job) => job.steps);
    expect(steps.map((s) => s.run)).toContain('npm audit --omit=dev --audit-level=high');
  });
});
