import 'server-only';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { getConfig } from './config';
import { AppError } from '../model/errors';
import {
  ecsEventsLogGroup,
  ENVIRONMENT_NAMES,
  SERVICE_ROLES,
  serviceLogGroup,
  type ServiceRole,
} from '../contracts/platform';

/**
 * The environment registry: which platforms this control plane watches, and where each
 * of its parts lives. Written by the Terraform's `control_plane_environment` output
 * (or, locally, by the seeding step) and validated here; a bad entry fails at start-up
 * with the field named.
 */
const Arn = z.string().regex(/^arn:aws[a-z-]*:/, 'must be an ARN');

/** People on GitHub: members of org teams (`org/team-slug`) and single logins. */
const GithubPrincipals = z.object({
  teams: z
    .array(z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]+$/, 'must be org/team-slug'))
    .default([]),
  logins: z.array(z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, 'must be a GitHub login')).default([]),
});

export const EnvironmentSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'lowercase letters, digits and dashes'),
  /** Production actions ask for typed confirmation. */
  production: z.boolean().default(false),
  /** The environment's colour in headers and the tab's icon, so production is never mistaken for staging. */
  colour: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'must be a #rrggbb colour')
    .optional(),
  /** Status alerts: a new status is posted once it has held this long (shorter flaps are not). */
  alerts: z.object({ settleSeconds: z.number().int().min(0).max(3600).default(60) }).default({ settleSeconds: 60 }),
  aws: z.object({
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1'),
    /** Role to assume for this environment; the default credential chain when absent. */
    roleArn: Arn.optional(),
  }),
  ecs: z.object({
    cluster: z.string().min(1),
    services: z.object({ api: z.string().min(1), worker: z.string().min(1) }),
  }),
  /**
   * The services' log groups and the group ECS's task and deployment events are kept in
   * (infrastructure/modules/ecs). Absent in an older registry: then the Terraform's names.
   */
  logs: z
    .object({
      groups: z.object({ api: z.string().min(1), worker: z.string().min(1) }),
      events: z.string().regex(/^\/aws\/events\//, 'must be under /aws/events/ (EventBridge writes only there)'),
    })
    .optional(),
  alb: z.object({
    loadBalancerArn: Arn,
    targetGroupArns: z.object({ api: Arn }),
  }),
  ecr: z.object({ repositories: z.object({ api: z.string().min(1), worker: z.string().min(1) }) }),
  ssm: z.object({ prefix: z.string().regex(/^\/[^/]+\/[^/]+\/$/, 'must look like /{project}/{environment}/') }),
  /** The bucket the worker keeps job artifacts and failure evidence in (jobs/{id}/); the job page reads it. */
  artifacts: z
    .object({ bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name') })
    .optional(),
  queues: z.object({
    names: z.array(z.string().min(1)).min(1),
    /** Server-side only: never sent to the browser or logged. */
    redisUrl: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'),
  }),
  github: z.object({
    owner: z.string().min(1),
    repo: z.string().min(1),
    deployWorkflow: z.string().min(1),
  }),
  /**
   * Who may see this environment (viewers) and act on it (operators, who also see it).
   * Nobody is the default: a person with no role anywhere is refused at sign-in.
   */
  access: z
    .object({
      operators: GithubPrincipals.default({ teams: [], logins: [] }),
      viewers: GithubPrincipals.default({ teams: [], logins: [] }),
    })
    .default({ operators: { teams: [], logins: [] }, viewers: { teams: [], logins: [] } }),
});
export type Environment = z.infer<typeof EnvironmentSchema>;

export const RegistrySchema = z
  .object({ environments: z.array(EnvironmentSchema).min(1, 'at least one environment is required') })
  .superRefine((registry, ctx) => {
    const seen = new Set<string>();
    registry.environments.forEach((env, i) => {
      if (seen.has(env.name)) {
        ctx.addIssue({ code: 'custom', path: ['environments', i, 'name'], message: `duplicate name "${env.name}"` });
      }
      seen.add(env.name);
    });
  });
export type Registry = z.infer<typeof RegistrySchema>;

/** A registry that cannot be used: the server refuses to start, naming the field (lib/startup.ts). */
export class RegistryError extends AppError {
  constructor(message: string) {
    super('internal', message);
    this.name = 'RegistryError';
  }
}

/** Parses registry JSON text; throws a RegistryError naming each bad field. */
export function parseRegistry(text: string, source: string): Registry {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new RegistryError(`${source}: not valid JSON (${(err as Error).message})`);
  }
  const result = RegistrySchema.safeParse(json);
  if (!result.success) {
    const fields = result.error.issues.map((i) => `${formatPath(i.path)}: ${describeIssue(i)}`);
    throw new RegistryError(`${source}: invalid environment registry: ${fields.join('; ')}`);
  }
  return result.data;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  return issue.code === 'invalid_type' && issue.message.endsWith('received undefined') ? 'required' : issue.message;
}

function formatPath(path: PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('') || '(root)';
}

let cached: Registry | undefined;

export function loadRegistry(): Registry {
  if (cached) return cached;
  const config = getConfig();
  if (config.PILOTHOUSE_ENVIRONMENTS) {
    cached = parseRegistry(config.PILOTHOUSE_ENVIRONMENTS, 'PILOTHOUSE_ENVIRONMENTS');
  } else if (config.PILOTHOUSE_ENVIRONMENTS_FILE) {
    const file = config.PILOTHOUSE_ENVIRONMENTS_FILE;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new RegistryError(`${file}: cannot read the environment registry (${(err as Error).message})`);
    }
    cached = parseRegistry(text, file);
  } else {
    throw new RegistryError('No environment registry: set PILOTHOUSE_ENVIRONMENTS or PILOTHOUSE_ENVIRONMENTS_FILE');
  }
  return cached;
}

export function listEnvironments(): Environment[] {
  const order: readonly string[] = ENVIRONMENT_NAMES;
  // Known environments first in their usual order (staging before production), others after.
  return [...loadRegistry().environments].sort(
    (a, b) => rank(order, a.name) - rank(order, b.name) || a.name.localeCompare(b.name),
  );
}

/** The environment of that name, or null. */
export function getEnvironment(name: string): Environment | null {
  return loadRegistry().environments.find((e) => e.name === name) ?? null;
}

/** The environment of that name; a `not_found` AppError otherwise (a 404 wherever it is caught). */
export function getEnvironmentOrThrow(name: string): Environment {
  const environment = getEnvironment(name);
  if (!environment) throw new AppError('not_found', `no environment named ${JSON.stringify(name)}`);
  return environment;
}

function rank(order: readonly string[], name: string): number {
  const i = order.indexOf(name);
  return i === -1 ? order.length : i;
}

/** The registry's colour, else red for production and a calm blue for the rest. */
export function environmentColour(env: Pick<Environment, 'colour' | 'production'>): string {
  return env.colour ?? (env.production ? '#be123c' : '#0369a1');
}

/** The environment's log groups: the registry's, else the names the Terraform gives them. */
export function logGroups(env: Environment): { services: Record<ServiceRole, string>; events: string } {
  return {
    services: env.logs?.groups ?? {
      api: serviceLogGroup(env.ecs.cluster, 'api'),
      worker: serviceLogGroup(env.ecs.cluster, 'worker'),
    },
    events: env.logs?.events ?? ecsEventsLogGroup(env.ecs.cluster),
  };
}

/** The service a name is (`api` or `worker`), or null: the one place a URL's service is checked. */
export function serviceRoleNamed(name: string): ServiceRole | null {
  return SERVICE_ROLES.find((r) => r === name) ?? null;
}

/** The service a route names; a `not_found` AppError otherwise. */
export function serviceRoleOrThrow(name: string): ServiceRole {
  const role = serviceRoleNamed(name);
  if (!role) throw new AppError('not_found', `no service named ${JSON.stringify(name)}`);
  return role;
}
