/**
 * Least privilege in the pipelines, checked where only GitHub and AWS would refuse: the
 * workflows held against the roles the Terraform creates for them. GitHub's OIDC subject,
 * with the repository's template set to repo, context, job_workflow_ref (README: bootstrap),
 * is `repo:{owner/repo}:{context}:job_workflow_ref:{owner/repo}/{workflow path}@{ref}`, where
 * the context is `environment:{name}` for a job in an environment and `pull_request` for a
 * pull request's job outside one (GitHub: "Customizing the subject claims").
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  DEPLOY_WORKFLOW,
  DEPLOY_WORKFLOW_BRANCH,
  deployRunTitle,
  GIT_REF_PATTERN,
  IMAGE_TAG_PATTERN,
} from '@/contracts/platform';
import { repoPath } from '../../scripts/platform';
import { INFRA, interpolate, loadHcl, loadModule, type Block } from '../support/hcl';

const REPO = 'pilothouse-dev/pilothouse';
type Step = { id?: string; name?: string; uses?: string; run?: string; with?: Record<string, unknown>; if?: string };
type Job = {
  if?: string;
  environment?: string;
  permissions?: Record<string, string>;
  steps: Step[];
  strategy?: { matrix: { environment: string[] } };
};
const workflow = (file: string) =>
  parse(readFileSync(repoPath('.github/workflows', file), 'utf8')) as {
    on: Record<string, unknown>;
    jobs: Record<string, Job>;
    'run-name'?: string;
  };

const subject = (context: string, file: string, ref: string) =>
  `repo:${REPO}:${context}:job_workflow_ref:${REPO}/.github/workflows/${file}@${ref}`;

/** IAM's StringEquals / StringLike (`*` any run of characters, `?` one). */
function matches(test: string, pattern: string, value: string): boolean {
  if (test === 'StringEquals') return pattern === value;
  expect(test).toBe('StringLike');
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) =>
        part
          .split('?')
          .map((p) => p.replace(/[.+^${}()|[\]\\]/g, '\\$&'))
          .join('.'),
      )
      .join('.*')}$`,
  );
  return regex.test(value);
}

/** Whether a trust policy document admits a GitHub OIDC token with this subject. */
function trustsSubject(statement: Block, vars: Record<string, string>, sub: string): boolean {
  const conditions = (statement.condition as Block[]).map((c) => ({
    test: c.test as string,
    variable: interpolate(c.variable as string, vars),
    values: (c.values as string[]).map((v) => interpolate(v, vars)),
  }));
  const subCondition = conditions.find((c) => c.variable === 'token.actions.githubusercontent.com:sub')!;
  const aud = conditions.find((c) => c.variable === 'token.actions.githubusercontent.com:aud')!;
  expect(aud.values).toEqual(['sts.amazonaws.com']);
  return subCondition.values.some((v) => matches(subCondition.test, v, sub));
}

describe('the deploy workflow', () => {
  const deploy = workflow(DEPLOY_WORKFLOW);
  const job = deploy.jobs.deploy;

  it('names each run after what it deploys, as lib/github.ts reads it back', () => {
    expect(deploy['run-name']).toBe(
      "Deploy ${{ inputs.ref }} to ${{ inputs.environment }}${{ inputs.image_tag && format(' (image {0})', inputs.image_tag) || '' }}",
    );
    expect(deployRunTitle({ environment: 'staging', ref: 'v1.2.0' })).toBe('Deploy v1.2.0 to staging');
    expect(deployRunTitle({ environment: 'production', ref: 'main', image_tag: 'abc123' })).toBe(
      'Deploy main to production (image abc123)',
    );
  });

  it('validates ref and image_tag first, with the same rules as contracts/platform.ts, before checkout or credentials', () => {
    const names = job.steps.map((s) => s.id ?? s.uses ?? s.name);
    expect(names[0]).toBe('validate');
    const script = job.steps[0].run!;
    const run = (ref: string, tag: string) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'deploy-validate-'));
      const output = path.join(dir, 'out');
      const result = spawnSync('bash', ['-e', '-c', script], {
        env: {
          PATH: process.env.PATH,
          INPUT_REF: ref,
          INPUT_IMAGE_TAG: tag,
          GITHUB_OUTPUT: output,
        } as unknown as NodeJS.ProcessEnv,
      });
      return result.status === 0;
    };
    // Expected answers written out, not derived from contracts/platform's regexes (which must agree too).
    const cases: [string, string, boolean][] = [
      ['main', '', true],
      ['release/1.4', 'abc123def456', true],
      ['v1.2.0', 'v1.2.0_rc-1', true],
      ['0123456789abcdef0123456789abcdef01234567', '', true],
      ['main\nimage_tag=evil', '', false],
      ['main', 'v1\nbuild=true', false],
      ['--upload-pack=x', '', false],
      ['a..b', '', false],
      ['feature branch', '', false],
      ['$(id)', '', false],
      ['main', '-x', false],
      ['main', 'a b', false],
      ['main', 'x'.repeat(129), false],
      ['', '', false],
      ['a//b', '', false],
      ['main', '.hidden', false],
    ];
    for (const [ref, tag, expected] of cases) {
      expect(run(ref, tag), JSON.stringify([ref, tag])).toBe(expected);
      expect(
        GIT_REF_PATTERN.test(ref) && (tag === '' || IMAGE_TAG_PATTERN.test(tag)),
        `contracts/platform: ${JSON.stringify([ref, tag])}`,
      ).toBe(expected);
    }
  });

  it('deploys only commits on the default branch: a feature branch’s head is refused before any credential', () => {
    const steps = job.steps.map((st) => st.id ?? st.uses ?? st.name);
    expect(steps.indexOf('merged')).toBeLessThan(
      steps.findIndex((n) => n?.startsWith('aws-actions/configure-aws-credentials@')),
    );
    expect(job.steps.find((st) => st.uses?.startsWith('actions/checkout@'))!.with!['fetch-depth']).toBe(0);
    const script = job.steps.find((st) => st.id === 'merged')!.run!;
    // A repository with main and an unmerged feature branch, cloned as the runner clones it.
    const origin = mkdtempSync(path.join(tmpdir(), 'deploy-origin-'));
    const git = (cwd: string, ...args: string[]) => {
      const r = spawnSync(
        'git',
        ['-c', 'user.email=t@t', '-c', 'user.name=t', '-c', 'init.defaultBranch=main', ...args],
        { cwd, encoding: 'utf8' },
      );
      if (r.status !== 0) throw new Error(r.stderr);
      return r.stdout.trim();
    };
    git(origin, 'init', '-q');
    git(origin, 'commit', '-q', '--allow-empty', '-m', 'one');
    const merged = git(origin, 'rev-parse', 'HEAD');
    git(origin, 'commit', '-q', '--allow-empty', '-m', 'two');
    git(origin, 'checkout', '-q', '-b', 'feature');
    git(origin, 'commit', '-q', '--allow-empty', '-m', 'unmerged');
    git(origin, 'checkout', '-q', 'main');
    const clone = mkdtempSync(path.join(tmpdir(), 'deploy-clone-'));
    git(clone, 'clone', '-q', origin, '.');
    const check = (ref: string) => {
      git(clone, 'checkout', '-q', ref);
      return (
        spawnSync('bash', ['-e', '-c', script], {
          cwd: clone,
          env: { PATH: process.env.PATH, INPUT_REF: ref, GITHUB_REF_NAME: 'main' } as unknown as NodeJS.ProcessEnv,
        }).status === 0
      );
    };
    expect(check('origin/main')).toBe(true);
    expect(check(merged)).toBe(true);
    expect(check('origin/feature')).toBe(false);
  });

  it('checks out the ref to deploy without keeping the token, and never rebuilds an image tag that exists', () => {
    const checkout = job.steps.find((s) => s.uses?.startsWith('actions/checkout@'))!;
    expect(checkout.with).toEqual({ ref: '${{ inputs.ref }}', 'persist-credentials': false, 'fetch-depth': 0 });
    const choose = job.steps.find((s) => s.id === 'tag')!.run!;
    expect(choose).toMatch(/tag=\$\(git rev-parse HEAD\)/); // the full SHA: the image's identity
    expect(choose).toMatch(
      /aws ecr describe-images --repository-name "pilothouse-\$ENVIRONMENT\/\$service" --image-ids imageTag="\$tag"/,
    );
    expect(choose).toMatch(/grep -q ImageNotFoundException/);
    // Each image is built only when its own check found it missing.
    for (const target of ['api', 'worker']) {
      expect(choose).toContain(`printf 'build_%s=%s\\n' "$service" "$build"`);
      const builds = job.steps.filter(
        (s) => s.uses?.startsWith('docker/build-push-action@') && s.with?.target === target,
      );
      expect(builds.map((s) => s.if)).toEqual([`steps.tag.outputs.build_${target} == 'true'`]);
    }
  });

  it('is assumable by the default branch’s deploy.yml in the environment, and by nothing else', async () => {
    const iam = await loadModule('iam');
    const [statement] = iam.data!.aws_iam_policy_document.deploy_assume[0].statement as Block[];
    expect(statement.principals).toEqual([{ type: 'Federated', identifiers: ['${var.github_oidc_provider_arn}'] }]);
    const vars = { github_repository: REPO, github_default_branch: DEPLOY_WORKFLOW_BRANCH };
    for (const env of job.strategy?.matrix.environment ?? ['staging', 'production']) {
      const v = { ...vars, environment: env };
      expect(job.environment).toBe('${{ inputs.environment }}');
      expect(
        trustsSubject(
          statement,
          v,
          subject(`environment:${env}`, DEPLOY_WORKFLOW, `refs/heads/${DEPLOY_WORKFLOW_BRANCH}`),
        ),
      ).toBe(true);
      // A branch's own copy of deploy.yml, another workflow, a pull request, another environment: refused.
      expect(trustsSubject(statement, v, subject(`environment:${env}`, DEPLOY_WORKFLOW, 'refs/heads/feature/x'))).toBe(
        false,
      );
      expect(
        trustsSubject(statement, v, subject(`environment:${env}`, 'ci.yml', `refs/heads/${DEPLOY_WORKFLOW_BRANCH}`)),
      ).toBe(false);
      expect(trustsSubject(statement, v, subject('pull_request', DEPLOY_WORKFLOW, 'refs/pull/7/merge'))).toBe(false);
      expect(
        trustsSubject(
          statement,
          v,
          subject(
            `environment:${env === 'staging' ? 'production' : 'staging'}`,
            DEPLOY_WORKFLOW,
            `refs/heads/${DEPLOY_WORKFLOW_BRANCH}`,
          ),
        ),
      ).toBe(false);
    }
  });
});

describe('the Terraform workflow and its roles (infrastructure/bootstrap)', () => {
  const terraform = workflow('terraform.yml');

  it('plans pull requests outside the protected environments, with the read-only role, no refresh and no lock', () => {
    const plan = terraform.jobs.plan;
    expect(plan.if).toBe("github.event_name == 'pull_request'");
    expect(plan.environment).toBeUndefined();
    const creds = plan.steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))!;
    expect(creds.with!['role-to-assume']).toBe('${{ vars.TERRAFORM_PLAN_ROLE_ARN }}');
    const command = plan.steps.map((s) => s.run ?? '').join('\n');
    expect(command).toMatch(/terraform plan .*-lock=false -refresh=false/);
  });

  it('applies only pushes to main, in each protected environment, with the apply role', () => {
    const apply = terraform.jobs.apply;
    expect(apply.if).toBe("github.event_name == 'push'");
    expect(terraform.on.push).toMatchObject({ branches: [DEPLOY_WORKFLOW_BRANCH] });
    expect(apply.environment).toBe('${{ matrix.environment }}');
    const creds = apply.steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))!;
    expect(creds.with!['role-to-assume']).toBe('${{ vars.TERRAFORM_ROLE_ARN }}');
  });

  it('the plan role trusts this repository’s pull-request runs of terraform.yml only, and may read the current state and one data source, nothing else', async () => {
    const bootstrap = await loadHcl(path.join(INFRA, 'bootstrap'));
    const [statement] = bootstrap.data!.aws_iam_policy_document.plan_assume[0].statement as Block[];
    expect(statement.principals).toEqual([
      { type: 'Federated', identifiers: ['${aws_iam_openid_connect_provider.github.arn}'] },
    ]);
    expect(bootstrap.resource!.aws_iam_openid_connect_provider.github[0].url).toBe('https://${local.github_issuer}');
    const vars = {
      github_repository: REPO,
      github_issuer: 'token.actions.githubusercontent.com',
      terraform_file: `${REPO}/.github/workflows/terraform.yml`,
    };
    expect(trustsSubject(statement, vars, subject('pull_request', 'terraform.yml', 'refs/pull/42/merge'))).toBe(true);
    expect(trustsSubject(statement, vars, subject('pull_request', 'ci.yml', 'refs/pull/42/merge'))).toBe(false);
    expect(trustsSubject(statement, vars, subject('environment:production', 'terraform.yml', 'refs/heads/main'))).toBe(
      false,
    );
    expect(
      trustsSubject(
        statement,
        vars,
        `repo:someone/else:pull_request:job_workflow_ref:someone/else/.github/workflows/terraform.yml@refs/pull/1/merge`,
      ),
    ).toBe(false);

    // Everything the role may do: its one inline policy, no managed policy attached.
    const attachments = Object.values(bootstrap.resource!.aws_iam_role_policy_attachment ?? {})
      .flat()
      .filter((a) => String(a.role).includes('terraform_plan'));
    expect(attachments).toEqual([]);
    const inline = Object.values(bootstrap.resource!.aws_iam_role_policy)
      .flat()
      .filter((p) => String(p.role).includes('terraform_plan'));
    expect(inline.map((p) => p.policy)).toEqual(['${data.aws_iam_policy_document.plan.json}']);
    const statements = bootstrap.data!.aws_iam_policy_document.plan[0].statement as Block[];
    const allowed = statements
      .filter((st) => st.effect !== 'Deny')
      .flatMap((st) => (st.actions as string[]).map((a) => `${a} on ${String(st.resources)}`));
    expect(allowed.sort()).toEqual([
      'ec2:DescribeVpcs on *',
      's3:GetObject on ${aws_s3_bucket.state.arn}/${var.project}/*',
      's3:ListBucket on ${aws_s3_bucket.state.arn}',
    ]);
    const denied = statements.filter((st) => st.effect === 'Deny').flatMap((st) => st.actions as string[]);
    for (const action of [
      'ssm:GetParameter',
      'ssm:GetParameters',
      'kms:Decrypt',
      's3:GetObjectVersion',
      's3:PutObject',
    ])
      expect(denied).toContain(action);
    // The plan command matches: no refresh (it could not read the resources), no lock (it cannot write).
    expect(terraform.jobs.plan.steps.map((st) => st.run ?? '').join('\n')).toMatch(/-lock=false -refresh=false/);
  });

  it('each environment’s apply role trusts terraform.yml on main in that environment only', async () => {
    const bootstrap = await loadHcl(path.join(INFRA, 'bootstrap'));
    const doc = bootstrap.data!.aws_iam_policy_document.apply_assume[0];
    expect(doc.for_each).toBe('${toset(var.environments)}');
    const [statement] = doc.statement as Block[];
    expect(statement.principals).toEqual([
      { type: 'Federated', identifiers: ['${aws_iam_openid_connect_provider.github.arn}'] },
    ]);
    const environments = bootstrap.variable!.environments[0].default as string[];
    expect(environments).toEqual(terraform.jobs.apply.strategy!.matrix.environment);
    for (const env of environments) {
      const vars = {
        github_repository: REPO,
        github_default_branch: 'main',
        github_issuer: 'token.actions.githubusercontent.com',
        terraform_file: `${REPO}/.github/workflows/terraform.yml`,
      };
      const withEnv = {
        ...statement,
        condition: (statement.condition as Block[]).map((c) => ({
          ...c,
          values: (c.values as string[]).map((v) => v.replace('${each.key}', env)),
        })),
      };
      expect(trustsSubject(withEnv, vars, subject(`environment:${env}`, 'terraform.yml', 'refs/heads/main'))).toBe(
        true,
      );
      for (const other of environments.filter((e) => e !== env))
        expect(trustsSubject(withEnv, vars, subject(`environment:${other}`, 'terraform.yml', 'refs/heads/main'))).toBe(
          false,
        );
      expect(trustsSubject(withEnv, vars, subject(`environment:${env}`, 'terraform.yml', 'refs/heads/feature'))).toBe(
        false,
      );
      expect(trustsSubject(withEnv, vars, subject('pull_request', 'terraform.yml', 'refs/pull/1/merge'))).toBe(false);
    }
  });
});

describe('CI', () => {
  it('runs npm test on every pull request and push to main, whatever the change touches', () => {
    const ci = workflow('ci.yml');
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
    expect(ci.on.pull_request ?? {}).not.toHaveProperty('paths');
    expect(ci.on.push).toEqual({ branches: [DEPLOY_WORKFLOW_BRANCH] });
    expect(ci.jobs.test.steps.some((s) => s.run === 'npm test')).toBe(true);
  });
});
