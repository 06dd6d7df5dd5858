/**
 * Applies infrastructure/ to the AWS emulator with OpenTofu and the AWS provider built from
 * its Go module (scripts/bin/ensure-tools.sh --infra): the proof that the Terraform works, and the
 * source of the environment registry when the control plane runs on what the Terraform made.
 *
 * The committed roots are never touched: each run copies infrastructure/ into a work
 * directory and adds one override file per root with a local backend and the provider's
 * emulator endpoints and fake credentials. Those settings exist only in that copy.
 *
 * `environments/staging` names the one environments root applied for staging, as CI does it:
 * its state apart (a local state per environment here, its .s3.tfbackend key in AWS), its own
 * working directory data (TF_DATA_DIR, as CI's separate checkouts), its own .tfvars.
 */
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { z } from 'zod';
import { EMULATOR_CREDENTIALS, ROOT } from './local-platform';

export const TOFU = path.join(ROOT, '.tools', 'bin', 'tofu');
export const TOFU_CLI_CONFIG = path.join(ROOT, '.tools', 'tofurc');
export const OVERRIDE_FILE = 'pilothouse_emulator_override.tf';

/** The roots in the order an operator applies them: bootstrap's outputs feed the environments. */
export const ENVIRONMENT_ROOTS = ['staging', 'production'] as const;
export type EnvironmentRoot = (typeof ENVIRONMENT_ROOTS)[number];

/** What the bootstrap root is given here; in an account, the README's bootstrap step. */
const BOOTSTRAP_VARIABLES = {
  region: 'eu-west-1',
  state_bucket_name: 'pilothouse-tfstate-emulator',
  github_repository: 'pilothouse-dev/pilothouse',
  vercel_team_slug: 'pilothouse-dev',
};

/** Every AWS service the provider calls for our roots, all pointed at the emulator. */
const PROVIDER_ENDPOINTS = [
  'acm',
  'applicationautoscaling',
  'cloudwatch',
  'cloudwatchlogs',
  'events',
  'ec2',
  'ecr',
  'ecs',
  'elbv2',
  'iam',
  'kms',
  's3',
  's3control',
  'ssm',
  'sts',
];

export function emulatorOverride(emulatorUrl: string): string {
  const endpoints = PROVIDER_ENDPOINTS.map((name) => `    ${name.padEnd(22)} = "${emulatorUrl}"`).join('\n');
  return `# Written by scripts/platform/terraform-emulator.ts into a copy of the root; never committed.
terraform {
  backend "local" {}
}

provider "aws" {
  access_key                  = "${EMULATOR_CREDENTIALS.accessKeyId}"
  secret_key                  = "${EMULATOR_CREDENTIALS.secretAccessKey}"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true
  # S3 Control puts the account id in front of the endpoint's host (123456789012.127.0.0.1),
  # a name no resolver knows: such requests go to the emulator as an HTTP proxy, which serves
  # them by path. Requests to 127.0.0.1 itself never use a proxy.
  http_proxy                  = "${emulatorUrl}"
  https_proxy                 = ""

  endpoints {
${endpoints}
  }
}
`;
}

export class TofuError extends Error {
  constructor(
    readonly root: string,
    readonly args: string[],
    readonly output: string,
  ) {
    super(`tofu ${args[0]} in ${root} failed:\n${output.trim()}`);
    this.name = 'TofuError';
  }
}

type TofuResult = { code: number; stdout: string; stderr: string };

/** `environments/<name>`: the environments root, for that environment. */
const ENVIRONMENT_ROOT = /^environments\/([a-z][a-z0-9-]*)$/;

/** Where a root runs, and what tofu is told for it: an environment's state, variables and working data. */
function rootInvocation(root: string, args: string[]): { dir: string; args: string[]; dataDir: string | null } {
  const environment = ENVIRONMENT_ROOT.exec(root)?.[1];
  if (!environment) return { dir: root, args, dataDir: null };
  const [command, ...rest] = args;
  const own =
    command === 'init'
      ? [`-backend-config=path=${environment}.tfstate`]
      : ['plan', 'apply', 'destroy'].includes(command)
        ? [`-var-file=${environment}.tfvars`]
        : [];
  return { dir: 'environments', args: [command, ...own, ...rest], dataDir: `.terraform-${environment}` };
}

/**
 * Inits of one directory wait their turn: every environment's init writes the root's
 * .terraform.lock.hcl, which two at once could leave torn.
 */
const initsByDirectory = new Map<string, Promise<unknown>>();

/** Runs tofu in a root of the work copy; `okCodes` are the exit codes that are not failures. */
export async function tofu(workDir: string, root: string, args: string[], okCodes = [0]): Promise<TofuResult> {
  const run = rootInvocation(root, args);
  if (args[0] === 'init') {
    const dir = path.join(workDir, run.dir);
    const previous = initsByDirectory.get(dir) ?? Promise.resolve();
    const mine = previous.catch(() => {}).then(() => spawnTofu(workDir, run, root, args, okCodes));
    initsByDirectory.set(dir, mine);
    return mine;
  }
  return spawnTofu(workDir, run, root, args, okCodes);
}

async function spawnTofu(
  workDir: string,
  run: ReturnType<typeof rootInvocation>,
  root: string,
  args: string[],
  okCodes: number[],
): Promise<TofuResult> {
  const child = await execa(TOFU, [...run.args, '-no-color'], {
    cwd: path.join(workDir, run.dir),
    stdin: 'ignore',
    reject: false,
    // Only what tofu needs: no AWS_* variable of the caller's can reach the provider.
    extendEnv: false,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/root',
      TF_CLI_CONFIG_FILE: TOFU_CLI_CONFIG,
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      NODE_ENV: 'production',
      ...(run.dataDir ? { TF_DATA_DIR: run.dataDir } : {}),
    },
  });
  if (child.failed && child.exitCode === undefined) throw child; // tofu could not be started at all
  const result: TofuResult = { code: child.exitCode ?? 1, stdout: child.stdout, stderr: child.stderr };
  if (!okCodes.includes(result.code)) throw new TofuError(root, args, `${result.stderr}\n${tail(result.stdout)}`);
  return result;
}

function tail(text: string, lines = 60): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/** Copies infrastructure/ (roots and modules, without local state) and writes each root's override. */
export function prepareWorkCopy(workDir: string, emulatorUrl: string): void {
  if (!existsSync(TOFU) || !existsSync(TOFU_CLI_CONFIG)) {
    throw new Error('OpenTofu or the AWS provider is not installed: run `bash scripts/bin/ensure-tools.sh --infra`');
  }
  rmSync(workDir, { recursive: true, force: true });
  cpSync(path.join(ROOT, 'infrastructure'), workDir, {
    recursive: true,
    filter: (source) => !/[\\/](\.terraform[^\\/]*|[^\\/]*\.tfstate[^\\/]*)$/.test(source),
  });
  for (const root of ['bootstrap', 'environments']) {
    writeFileSync(path.join(workDir, root, OVERRIDE_FILE), emulatorOverride(emulatorUrl));
  }
}

export function varArgs(variables: Record<string, string>): string[] {
  return Object.entries(variables).flatMap(([name, value]) => ['-var', `${name}=${value}`]);
}

/** The `control_plane_environment` output: the registry entry less the Redis URL. */
export const ControlPlaneEnvironmentOutput = z.object({
  name: z.string(),
  production: z.boolean(),
  aws: z.object({ region: z.string(), roleArn: z.string() }),
  ecs: z.object({ cluster: z.string(), services: z.object({ api: z.string(), worker: z.string() }) }),
  alb: z.object({ loadBalancerArn: z.string(), targetGroupArns: z.object({ api: z.string() }) }),
  ecr: z.object({ repositories: z.object({ api: z.string(), worker: z.string() }) }),
  ssm: z.object({ prefix: z.string() }),
  queues: z.object({ names: z.array(z.string()) }),
  github: z.object({ owner: z.string(), repo: z.string(), deployWorkflow: z.string() }),
});
export type ControlPlaneEnvironmentOutput = z.infer<typeof ControlPlaneEnvironmentOutput>;

export type RootReport = {
  root: string;
  resources: number;
  seconds: { init: number; validate: number; apply: number; plan: number };
};

export type TofuLog = (line: string) => void;

/**
 * init, validate, apply, then plan again: a plan that is not empty means the Terraform and
 * what AWS (here, the emulator) reports disagree, and fails with the plan's text.
 */
export async function applyRoot(
  workDir: string,
  root: string,
  variables: Record<string, string>,
  log: TofuLog = () => {},
): Promise<RootReport> {
  const timed = async <T>(name: string, run: () => Promise<T>): Promise<[T, number]> => {
    const started = Date.now();
    const value = await run();
    const seconds = (Date.now() - started) / 1000;
    log(`  ${root}: ${name} ${seconds.toFixed(1)} s`);
    return [value, seconds];
  };
  const vars = varArgs(variables);
  const [, init] = await timed('init', () => tofu(workDir, root, ['init', '-input=false']));
  const [, validate] = await timed('validate', () => tofu(workDir, root, ['validate']));
  const [applied, apply] = await timed('apply', () =>
    tofu(workDir, root, ['apply', '-auto-approve', '-input=false', ...vars]),
  );
  const [planned, plan] = await timed('plan', () =>
    tofu(workDir, root, ['plan', '-detailed-exitcode', '-input=false', ...vars], [0, 2]),
  );
  if (planned.code === 2) {
    throw new TofuError(
      root,
      ['plan'],
      `the plan after apply is not empty (drift between the Terraform and the emulator):\n${planChanges(planned.stdout)}`,
    );
  }
  const added = /Resources: (\d+) added/.exec(applied.stdout);
  return { root, resources: added ? Number(added[1]) : 0, seconds: { init, validate, apply, plan } };
}

/** The resource lines and the summary of a plan's text. */
function planChanges(planText: string): string {
  const start = planText.indexOf('OpenTofu will perform the following actions');
  return (start >= 0 ? planText.slice(start) : tail(planText)).trim();
}

export async function outputs<T>(workDir: string, root: string, name: string, schema: z.ZodType<T>): Promise<T> {
  const { stdout } = await tofu(workDir, root, ['output', '-json', name]);
  return schema.parse(JSON.parse(stdout));
}

export async function destroyRoot(workDir: string, root: string, variables: Record<string, string>): Promise<void> {
  await tofu(workDir, root, ['destroy', '-auto-approve', '-input=false', ...varArgs(variables)]);
}

/** An ACM certificate for the ALB's HTTPS listener, as an operator would have requested. */
async function requestCertificate(emulatorUrl: string, region: string, domain: string): Promise<string> {
  const response = await fetch(emulatorUrl, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': 'CertificateManager.RequestCertificate',
      // The emulator routes by the signing scope; it checks no signature.
      Authorization: `AWS4-HMAC-SHA256 Credential=${EMULATOR_CREDENTIALS.accessKeyId}/20260101/${region}/acm/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify({ DomainName: domain, ValidationMethod: 'DNS' }),
  });
  if (!response.ok) throw new Error(`ACM RequestCertificate answered ${response.status}: ${await response.text()}`);
  return z.object({ CertificateArn: z.string() }).parse(await response.json()).CertificateArn;
}

export type AppliedEnvironment = ControlPlaneEnvironmentOutput & { ssmKmsKeyArn: string };

/** The control plane's registry entry for an applied environment: its output plus the Redis URL. */
export function registryEntry(env: AppliedEnvironment, redisUrl: string) {
  const { ssmKmsKeyArn, ...output } = env;
  void ssmKmsKeyArn; // the operator's key for writing parameters; the control plane never writes them
  return { ...output, queues: { ...output.queues, redisUrl } };
}

export type AppliedInfrastructure = {
  workDir: string;
  reports: RootReport[];
  environments: AppliedEnvironment[];
  /** Destroys every root, environments first, as `tofu destroy` would in an account. */
  destroy: () => Promise<void>;
};

/**
 * Applies bootstrap, then the environments with bootstrap's outputs, as the README's steps do.
 * The two environments are independent roots and apply side by side: most of an apply is the
 * provider waiting (30 s before it first asks whether an ALB is active, a minute for S3 to
 * agree on a lifecycle configuration), so two at once take little longer than one.
 */
export async function applyInfrastructure(options: {
  emulatorUrl: string;
  workDir: string;
  log?: TofuLog;
}): Promise<AppliedInfrastructure> {
  const { emulatorUrl, workDir, log = () => {} } = options;
  prepareWorkCopy(workDir, emulatorUrl);
  const variables: Record<string, Record<string, string>> = { bootstrap: BOOTSTRAP_VARIABLES };
  const bootstrap = await applyRoot(workDir, 'bootstrap', BOOTSTRAP_VARIABLES, log);
  const [github, vercel] = await Promise.all([
    outputs(workDir, 'bootstrap', 'github_oidc_provider_arn', z.string()),
    outputs(workDir, 'bootstrap', 'vercel_oidc_provider_arn', z.string()),
  ]);
  const applied = await Promise.all(
    ENVIRONMENT_ROOTS.map(async (name) => {
      const root = `environments/${name}`;
      variables[root] = {
        certificate_arn: await requestCertificate(
          emulatorUrl,
          regionOf(workDir, name),
          `api.${name}.pilothouse.example`,
        ),
        github_oidc_provider_arn: github,
        vercel_oidc_provider_arn: vercel,
      };
      const report = await applyRoot(workDir, root, variables[root], log);
      const [environment, ssmKmsKeyArn] = await Promise.all([
        outputs(workDir, root, 'control_plane_environment', ControlPlaneEnvironmentOutput),
        outputs(workDir, root, 'ssm_kms_key_arn', z.string()),
      ]);
      return { report, environment: { ...environment, ssmKmsKeyArn } };
    }),
  );
  const destroy = async () => {
    // Both run to their end even when one fails, so a retry never meets a root still locked.
    const results = await Promise.allSettled(
      ENVIRONMENT_ROOTS.map((name) => destroyRoot(workDir, `environments/${name}`, variables[`environments/${name}`])),
    );
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    await destroyRoot(workDir, 'bootstrap', variables.bootstrap);
  };
  return {
    workDir,
    reports: [bootstrap, ...applied.map((a) => a.report)],
    environments: applied.map((a) => a.environment),
    destroy,
  };
}

/** The environment's region, from its committed <name>.tfvars. */
function regionOf(workDir: string, name: string): string {
  const tfvars = readFileSync(path.join(workDir, 'environments', `${name}.tfvars`), 'utf8');
  const match = /^region\s*=\s*"([^"]+)"/m.exec(tfvars);
  if (!match) throw new Error(`environments/${name}.tfvars sets no region`);
  return match[1];
}
