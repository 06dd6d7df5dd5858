/**
 * The Terraform, parsed (HCL → JSON with @cdktf/hcl2json, offline) and checked for what
 * matters; tofu fmt, tflint and checkov run in scripts/lint-infra.sh.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SSM_PARAMETER_KEYS, WORKER_BACKLOG_METRIC, WORKER_BACKLOG_PER_TASK_EXPRESSION } from '@/lib/platform';
import { ROOT } from '../../scripts/local-platform';
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

  it('every SSM parameter is a SecureString under /{project}/{environment}/, the same nine keys as lib/platform.ts, values never managed', async () => {
    const ssm = await mod('ssm');
    expect(only(ssm.variable!.parameter_keys).default).toEqual([...SSM_PARAMETER_KEYS]);
    const param = only(ssm.resource!.aws_ssm_parameter.this);
    expect(param).toMatchObject({ type: 'SecureString', name: '/${var.project}/${var.environment}/${each.key}', for_each: '${toset(var.parameter_keys)}' });
    expect((param.lifecycle as Block[])[0].ignore_changes).toEqual(['${value}']);
  });

  it('every secret reaches ECS through `secrets` from SSM, and no secret is a plain environment variable', async () => {
    const ecs = await mod('ecs');
    const locals = Object.assign({}, ...(ecs.locals ?? [])) as { secrets: string; environment: Record<string, { name: string }[]> };
    expect(locals.secrets).toBe('${[for name, arn in var.secret_arns : { name = name, valueFrom = arn }]}');
    const task = only(ecs.resource!.aws_ecs_task_definition.this);
    expect(task.container_definitions).toMatch(/secrets\s*=\s*local\.secrets/);
    expect(task.container_definitions).not.toMatch(/REDIS_URL|API_KEYS/);
    const plainNames = JSON.stringify(locals.environment);
    for (const key of SSM_PARAMETER_KEYS) expect(plainNames).not.toContain(key);
    const platform = await mod('platform');
    expect(only(platform.module!.ecs).secret_arns).toBe('${module.ssm.parameter_arns}');
  });

  it('runs the services in private subnets with no public IP, behind the circuit breaker with rollback', async () => {
    const ecs = await mod('ecs');
    const service = only(ecs.resource!.aws_ecs_service.this);
    expect((service.network_configuration as Block[])[0]).toMatchObject({ subnets: '${var.private_subnet_ids}', assign_public_ip: false });
    expect((service.deployment_circuit_breaker as Block[])[0]).toEqual({ enable: true, rollback: true });
    const platform = await mod('platform');
    expect(only(platform.module!.ecs).private_subnet_ids).toBe('${module.vpc.private_subnet_ids}');
  });

  it('scales the worker on the backlog metric the worker publishes, per running task, as the seed does', async () => {
    const ecs = await mod('ecs');
    const spec = ((only(ecs.resource!.aws_appautoscaling_policy.worker_backlog).target_tracking_scaling_policy_configuration as Block[])[0]
      .customized_metric_specification as Block[])[0];
    const metrics = spec.metrics as Block[];
    expect(metrics.find((m) => m.return_data === true)!.expression).toBe(WORKER_BACKLOG_PER_TASK_EXPRESSION);
    const backlog = (((metrics.find((m) => m.id === 'backlog')!.metric_stat as Block[])[0].metric as Block[])[0]);
    expect(backlog).toMatchObject({ namespace: WORKER_BACKLOG_METRIC.namespace, metric_name: WORKER_BACKLOG_METRIC.name });
  });

  it('health-checks the api on /api/health/, the path the api serves', async () => {
    const alb = await mod('alb');
    expect(only(alb.variable!.health_check_path).default).toBe('/api/health/');
    expect((only(alb.resource!.aws_lb_target_group.api).health_check as Block[])[0].path).toBe('${var.health_check_path}');
    expect(readFileSync(path.join(ROOT, 'worker/api/app.ts'), 'utf8')).toContain("app.get('/api/health/'");
  });

  it('no IAM policy grants wildcard actions on all resources (KMS key policies aside: their resource is the key)', async () => {
    for (const name of MODULES) {
      const hcl = await mod(name);
      const keyPolicies = new Set(
        Object.values(hcl.resource?.aws_kms_key ?? {}).flatMap((ks) => ks.map((k) => String(k.policy ?? '').match(/data\.aws_iam_policy_document\.(\w+)/)?.[1])),
      );
      for (const [doc, [block]] of Object.entries(hcl.data?.aws_iam_policy_document ?? {})) {
        if (keyPolicies.has(doc)) continue;
        for (const statement of (block.statement as Block[]) ?? []) {
          const actions = statement.actions as string[];
          const resources = (statement.resources as string[] | undefined) ?? [];
          if (resources.includes('*')) {
            for (const action of actions) expect(action === '*' || action.endsWith(':*'), `${name} ${doc}: ${action} on *`).toBe(false);
          }
        }
      }
    }
  });

  it('limits the deploy role to this repository’s jobs in the environment', async () => {
    const iam = await mod('iam');
    const conditions = ((only(iam.data!.aws_iam_policy_document.deploy_assume).statement as Block[])[0].condition as Block[]);
    expect(conditions).toContainEqual({ test: 'StringEquals', variable: 'token.actions.githubusercontent.com:sub', values: ['repo:${var.github_repository}:environment:${var.environment}'] });
  });

  for (const env of ENVIRONMENTS) {
    it(`${env}: state in S3, encrypted and locked; the control plane's registry entry as an output`, async () => {
      const root = await load(path.join(INFRA, 'environments', env));
      const backend = ((root.terraform as Block[]).find((t) => t.backend)!.backend as Record<string, Block[]>).s3[0];
      expect(backend).toMatchObject({ encrypt: true, use_lockfile: true, key: `pilothouse/${env}/terraform.tfstate` });
      expect(root.output!.control_plane_environment).toBeDefined();
      const tfvars = readFileSync(path.join(INFRA, 'environments', env, 'terraform.tfvars'), 'utf8');
      expect(tfvars).toContain(`environment        = "${env}"`);
    });
  }
});
