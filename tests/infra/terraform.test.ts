/**
 * The Terraform, parsed (HCL → JSON with @cdktf/hcl2json, offline) and checked for what
 * matters; tofu fmt, tflint and checkov run in scripts/bin/lint-infra.sh.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEPLOY_WORKFLOW,
  DEPLOY_WORKFLOW_BRANCH,
  ECS_EVENTS_RETENTION_DAYS,
  ecsEventsLogGroup,
  ecsHistoryRules,
  SERVICE_SECRET_KEYS,
  serviceLogGroup,
  SSM_PARAMETER_KEYS,
  WORKER_BACKLOG_METRIC,
  WORKER_BACKLOG_PER_TASK_EXPRESSION,
} from '@/contracts/platform';
import { ApiConfigSchema, WorkerConfigSchema } from '../../worker/config';
import { repoPath } from '../../scripts/platform';
import { INFRA, loadHcl as load, type Block } from '../support/hcl';

const MODULES = readdirSync(path.join(INFRA, 'modules'));
const ENVIRONMENTS = ['staging', 'production'];

const mod = (name: string) => load(path.join(INFRA, 'modules', name));
const only = (blocks: Block[] | undefined) => {
  expect(blocks).toHaveLength(1);
  return blocks![0];
};

describe('Terraform modules', () => {
  it('every module has main, variables, outputs and versions; every variable has a type and description; every output a description', async () => {
    expect(MODULES.sort()).toEqual(['alb', 'ecr', 'ecs', 'iam', 'kms', 'platform', 'ssm', 'vpc']);
    for (const name of MODULES) {
      for (const file of ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf']) {
        expect(existsSync(path.join(INFRA, 'modules', name, file)), `${name}/${file}`).toBe(true);
      }
      const hcl = await mod(name);
      for (const [v, [block]] of Object.entries(hcl.variable ?? {})) {
        expect(block.type, `${name} var.${v} type`).toBeTruthy();
        expect(block.description, `${name} var.${v} description`).toBeTruthy();
      }
      for (const [o, [block]] of Object.entries(hcl.output ?? {})) {
        expect(block.description, `${name} output.${o} description`).toBeTruthy();
      }
    }
  });

  it('names the same nine SSM keys as contracts/platform.ts under /{project}/{environment}/, and never holds their values', async () => {
    const ssm = await mod('ssm');
    expect(only(ssm.variable!.parameter_keys).default).toEqual([...SSM_PARAMETER_KEYS]);
    expect(only(ssm.output!.parameter_arns).value).toBe(
      '${{ for k in var.parameter_keys : k => "${local.arn_prefix}/${var.project}/${var.environment}/${k}" }}',
    );
    // A managed aws_ssm_parameter would put its decrypted value in the state on every refresh,
    // where anyone who can plan could read it: no module or root manages one.
    for (const dir of [
      ...MODULES.map((m) => path.join(INFRA, 'modules', m)),
      path.join(INFRA, 'environments'),
      path.join(INFRA, 'bootstrap'),
    ]) {
      const hcl = await load(dir);
      expect(Object.keys(hcl.resource ?? {}), dir).not.toContain('aws_ssm_parameter');
      expect(Object.keys(hcl.data ?? {}), dir).not.toContain('aws_ssm_parameter');
    }
  });

  it('every secret reaches ECS through `secrets` from SSM, and no secret is a plain environment variable', async () => {
    const ecs = await mod('ecs');
    const locals = Object.assign({}, ...(ecs.locals ?? [])) as {
      secrets: string;
      environment: Record<string, { name: string }[]>;
    };
    expect(locals.secrets).toMatch(
      /for service, names in var\.service_secret_keys : service => \[for name in names : \{ name = name, valueFrom = var\.secret_arns\[name\] \}\]/,
    );
    const task = only(ecs.resource!.aws_ecs_task_definition.this);
    expect(task.container_definitions).toMatch(/secrets\s*=\s*local\.secrets\[each\.key\]/);
    expect(task.container_definitions).not.toMatch(/REDIS_URL|API_KEYS/);
    const plainNames = JSON.stringify(locals.environment);
    for (const key of SSM_PARAMETER_KEYS) expect(plainNames).not.toContain(key);
    const platform = await mod('platform');
    expect(only(platform.module!.ecs).secret_arns).toBe('${module.ssm.parameter_arns}');
  });

  it('gives each service only the secrets it uses, as contracts/platform.ts says: the worker never holds the api’s', async () => {
    const ecs = await mod('ecs');
    expect(only(ecs.variable!.service_secret_keys).default).toEqual(SERVICE_SECRET_KEYS);
    for (const secret of ['API_KEYS', 'SESSION_SECRET', 'ARTIFACTS_SIGNING_SECRET', 'GITHUB_WEBHOOK_SECRET']) {
      expect(SERVICE_SECRET_KEYS.worker as readonly string[]).not.toContain(secret);
    }
    // Each service's configuration reads no secret it is not given.
    const ssmKeys = new Set<string>(SSM_PARAMETER_KEYS);
    const reads = (schema: { shape: Record<string, unknown> }) =>
      Object.keys(schema.shape).filter((k) => ssmKeys.has(k));
    for (const key of reads(ApiConfigSchema))
      expect(SERVICE_SECRET_KEYS.api as readonly string[], `api reads ${key}`).toContain(key);
    for (const key of reads(WorkerConfigSchema))
      expect(SERVICE_SECRET_KEYS.worker as readonly string[], `worker reads ${key}`).toContain(key);
  });

  it('runs the services in private subnets with no public IP, behind the circuit breaker with rollback', async () => {
    const ecs = await mod('ecs');
    const service = only(ecs.resource!.aws_ecs_service.this);
    expect((service.network_configuration as Block[])[0]).toMatchObject({
      subnets: '${var.private_subnet_ids}',
      assign_public_ip: false,
    });
    expect((service.deployment_circuit_breaker as Block[])[0]).toEqual({ enable: true, rollback: true });
    const platform = await mod('platform');
    expect(only(platform.module!.ecs).private_subnet_ids).toBe('${module.vpc.private_subnet_ids}');
  });

  it('scales the worker on the backlog metric the worker publishes, per running task, as the seed does', async () => {
    const ecs = await mod('ecs');
    const spec = (
      (
        only(ecs.resource!.aws_appautoscaling_policy.worker_backlog)
          .target_tracking_scaling_policy_configuration as Block[]
      )[0].customized_metric_specification as Block[]
    )[0];
    const metrics = spec.metrics as Block[];
    expect(metrics.find((m) => m.return_data === true)!.expression).toBe(WORKER_BACKLOG_PER_TASK_EXPRESSION);
    const backlog = ((metrics.find((m) => m.id === 'backlog')!.metric_stat as Block[])[0].metric as Block[])[0];
    expect(backlog).toMatchObject({
      namespace: WORKER_BACKLOG_METRIC.namespace,
      metric_name: WORKER_BACKLOG_METRIC.name,
    });
  });

  it('keeps ECS’s task-stopped and deployment events 30 days, delivered by the rules the seed also makes', async () => {
    const ecs = await mod('ecs');
    const group = only(ecs.resource!.aws_cloudwatch_log_group.ecs_events);
    expect(group.retention_in_days).toBe(ECS_EVENTS_RETENTION_DAYS);
    expect(group.name).toBe(ecsEventsLogGroup('${var.name}'));
    expect(only(ecs.resource!.aws_cloudwatch_log_group.this).name).toBe(
      serviceLogGroup('${var.name}', '${each.key}' as 'api'),
    );
    // The rules' patterns, with the HCL's references for the cluster and services.
    const rules = (ecs.locals as Block[]).find((l) => l.ecs_history_rules)!.ecs_history_rules as Record<
      string,
      { pattern: unknown }
    >;
    const expected = ecsHistoryRules('${aws_ecs_cluster.this.arn}', ['SERVICES']);
    expect(Object.keys(rules).sort()).toEqual(Object.keys(expected).sort());
    expect(rules['task-stopped'].pattern).toEqual(expected['task-stopped']);
    expect(rules.deployment.pattern).toEqual({
      ...expected.deployment,
      resources: '${[for s in aws_ecs_service.this : s.id]}',
    });
    // Every rule's target is that group, and the group's resource policy lets EventBridge write only for those rules.
    expect(only(ecs.resource!.aws_cloudwatch_event_target.ecs_history).arn).toBe(
      '${aws_cloudwatch_log_group.ecs_events.arn}',
    );
    const policy = only(ecs.data!.aws_iam_policy_document.ecs_events_to_logs);
    expect((policy.statement as Block[])[0]).toMatchObject({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: ['${aws_cloudwatch_log_group.ecs_events.arn}:*'],
    });
  });

  it('health-checks the api on /api/health/, the path the api serves', async () => {
    const alb = await mod('alb');
    expect(only(alb.variable!.health_check_path).default).toBe('/api/health/');
    expect((only(alb.resource!.aws_lb_target_group.api).health_check as Block[])[0].path).toBe(
      '${var.health_check_path}',
    );
    expect(readFileSync(repoPath('worker/api/app.ts'), 'utf8')).toContain("app.get('/api/health/'");
  });

  it('no IAM policy grants wildcard actions on all resources (KMS key policies aside: their resource is the key)', async () => {
    for (const name of MODULES) {
      const hcl = await mod(name);
      const keyPolicies = new Set(
        Object.values(hcl.resource?.aws_kms_key ?? {}).flatMap((ks) =>
          ks.map((k) => String(k.policy ?? '').match(/data\.aws_iam_policy_document\.(\w+)/)?.[1]),
        ),
      );
      for (const [doc, [block]] of Object.entries(hcl.data?.aws_iam_policy_document ?? {})) {
        if (keyPolicies.has(doc)) continue;
        for (const statement of (block.statement as Block[]) ?? []) {
          const actions = statement.actions as string[];
          const resources = (statement.resources as string[] | undefined) ?? [];
          if (resources.includes('*')) {
            for (const action of actions)
              expect(action === '*' || action.endsWith(':*'), `${name} ${doc}: ${action} on *`).toBe(false);
          }
        }
      }
    }
  });

  it('lets only the default branch’s deploy.yml, in the environment, assume the deploy role', async () => {
    const iam = await mod('iam');
    const conditions = (only(iam.data!.aws_iam_policy_document.deploy_assume).statement as Block[])[0]
      .condition as Block[];
    const sub = conditions.find((c) => c.variable === 'token.actions.githubusercontent.com:sub')!;
    expect(sub.test).toBe('StringEquals'); // no wildcards: no other ref, workflow or environment matches
    expect(sub.values).toEqual([
      `repo:\${var.github_repository}:environment:\${var.environment}:job_workflow_ref:\${var.github_repository}/.github/workflows/${DEPLOY_WORKFLOW}@refs/heads/\${var.github_default_branch}`,
    ]);
    expect(only(iam.variable!.github_default_branch).default).toBe(DEPLOY_WORKFLOW_BRANCH);
    expect(conditions).toContainEqual({
      test: 'StringEquals',
      variable: 'token.actions.githubusercontent.com:aud',
      values: ['sts.amazonaws.com'],
    });
  });

  it('gives the control plane no iam:PassRole and no way to change scaling bounds (it scales within them with UpdateService)', async () => {
    const iam = await mod('iam');
    const statements = only(iam.data!.aws_iam_policy_document.control_plane).statement as Block[];
    const actions = statements.flatMap((st) => st.actions as string[]);
    expect(actions).not.toContain('iam:PassRole');
    expect(actions.filter((a) => /^application-autoscaling:(Register|Put|Delete)/.test(a))).toEqual([]);
    expect(statements.find((st) => (st.actions as string[]).includes('ecs:UpdateService'))!.resources).toBe(
      '${local.service_arns}',
    );
  });

  it('grants iam:PassRole only beside ecs:RegisterTaskDefinition, to ECS tasks, for the task roles', async () => {
    for (const name of MODULES) {
      for (const [doc, [block]] of Object.entries((await mod(name)).data?.aws_iam_policy_document ?? {})) {
        const statements = (block.statement as Block[]) ?? [];
        const actions = statements.flatMap((st) => st.actions as string[]);
        for (const st of statements.filter((x) => (x.actions as string[]).includes('iam:PassRole'))) {
          expect(actions, `${name} ${doc}`).toContain('ecs:RegisterTaskDefinition');
          expect(st.resources, `${name} ${doc}`).toBe('${local.task_role_arns}');
          expect(st.condition).toEqual([
            { test: 'StringEquals', variable: 'iam:PassedToService', values: ['ecs-tasks.amazonaws.com'] },
          ]);
        }
      }
    }
  });

  it("one root for every environment: state in S3, encrypted and locked; the control plane's registry entry as an output", async () => {
    const root = await load(path.join(INFRA, 'environments'));
    const backend = ((root.terraform as Block[]).find((t) => t.backend)!.backend as Record<string, Block[]>).s3[0];
    expect(backend).toMatchObject({ encrypt: true, use_lockfile: true });
    expect(root.output!.control_plane_environment).toBeDefined();
  });

  for (const env of ENVIRONMENTS) {
    it(`${env}: its own state key and its variables, and nothing else of its own`, () => {
      const own = readdirSync(path.join(INFRA, 'environments'))
        .filter((f) => f.startsWith(`${env}.`))
        .sort();
      expect(own).toEqual([`${env}.s3.tfbackend`, `${env}.tfvars`]);
      expect(readFileSync(path.join(INFRA, 'environments', `${env}.s3.tfbackend`), 'utf8')).toMatch(
        new RegExp(`^key = "pilothouse/${env}/terraform.tfstate"$`, 'm'),
      );
      expect(readFileSync(path.join(INFRA, 'environments', `${env}.tfvars`), 'utf8')).toMatch(
        new RegExp(`^environment\\s+= "${env}"$`, 'm'),
      );
    });
  }
});
