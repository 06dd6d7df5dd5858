import 'server-only';
import { z } from 'zod';
import type { ActionSpec, Exclusive } from './actions';
import { describeScaling } from './aws/autoscaling';
import { imageTagExists } from './aws/ecr';
import {
  deployTaskDefinition,
  describeEnvironmentServices,
  forceNewDeployment,
  listTaskDefinitionRevisions,
  setDesiredCount,
} from './aws/ecs';
import type { Environment } from './environments';
import { AppError } from '../model/errors';
import { dispatchDeploy, listDeployRuns } from './github';
import { cacheNames } from '../contracts/keys';
import { SERVICE_ROLES, type ServiceRole } from '../contracts/platform';
import { controlJob, controlQueue } from './queue';
import { DeployBody, JobActionBody, QueueActionBody, ServiceActionBody } from '../model/schemas/actions';

/**
 * The operator actions: what each does upstream, and what must hold first. Route handlers
 * pass them to lib/actions.ts, which does the checks every action shares.
 */

const isRole = (name: string): name is ServiceRole => (SERVICE_ROLES as readonly string[]).includes(name);

/** A rollout in progress, or a deploy run that will start one: what makes a service busy. */
async function serviceBusy(env: Environment, roles: readonly ServiceRole[]): Promise<string | null> {
  const { services } = await describeEnvironmentServices(env);
  for (const service of services.filter((s) => roles.includes(s.role))) {
    const rolling = service.deployments.find((d) => d.rolloutState === 'IN_PROGRESS');
    if (rolling)
      return `${service.role} deployment ${rolling.id} is rolling out (${rolling.runningCount} of ${rolling.desiredCount} running)`;
  }
  // A GitHub outage must not stop a redeploy: an unknown run counts as none.
  const runs = await listDeployRuns(env).catch(() => []);
  const active = runs.find((r) => r.status !== 'completed');
  return active
    ? `deploy run #${active.runNumber ?? active.id} (${active.ref ?? active.sha.slice(0, 7)}) is ${active.status}`
    : null;
}

/** The revision a rollback goes to, checked: one of the family's recent revisions, and not the one running. */
async function rollbackTarget(env: Environment, role: ServiceRole, revision: number) {
  const current = (await describeEnvironmentServices(env)).services.find((s) => s.role === role)?.taskDefinition;
  if (!current) throw new AppError('conflict', `${role} has no task definition to roll back from`);
  if (revision === current.revision)
    throw new AppError('invalid_input', `${role} already runs ${current.family}:${current.revision}`);
  const revisions = await listTaskDefinitionRevisions(env, current.family);
  const target = revisions.find((r) => r.revision === revision);
  if (!target) {
    throw new AppError(
      'invalid_input',
      `revision ${revision} is not one of ${current.family}'s recent revisions (${revisions.map((r) => r.revision).join(', ')})`,
    );
  }
  return { current, target };
}

/**
 * A deploy started this recently is in flight whatever GitHub says yet: a dispatched run takes
 * seconds to be listed, and a second change must not slip in before it is.
 */
export const DEPLOY_GRACE_MS = 60_000;

type RollbackTarget = Awaited<ReturnType<typeof rollbackTarget>>;

/** Within the scalable target's bounds, or an AppError naming them. */
async function checkScale(env: Environment, role: ServiceRole, desiredCount: number): Promise<void> {
  const bounds = (await describeScaling(env))[role];
  const [min, max] = [bounds?.minCapacity, bounds?.maxCapacity];
  if (min === null || min === undefined || max === null || max === undefined) {
    throw new AppError(
      'conflict',
      `${role} has no scalable target, so no bounds to check the count against: set it in Terraform`,
    );
  }
  if (desiredCount < min || desiredCount > max) {
    throw new AppError(
      'invalid_input',
      `desiredCount ${desiredCount} is outside ${role}'s scaling bounds ${min}–${max}`,
    );
  }
}

export function serviceAction(
  environment: string,
  service: string,
): ActionSpec<ServiceActionBody, RollbackTarget | null> {
  return {
    action: 'service',
    actionOf: (body) => body.action,
    environment,
    target: service,
    body: ServiceActionBody,
    targetExists: () => isRole(service),
    check: async (body, env) => {
      if (body.action === 'scale') await checkScale(env, service as ServiceRole, body.desiredCount);
      return body.action === 'rollback' ? rollbackTarget(env, service as ServiceRole, body.revision) : null;
    },
    // Scaling does not start a new deployment: only redeploys and rollbacks take turns.
    exclusive: (body, env): Exclusive | null =>
      body.action === 'scale'
        ? null
        : { target: service, alsoBlockedBy: ['deploy'], busy: () => serviceBusy(env, [service as ServiceRole]) },
    async run(body, { environment: env, checked }) {
      const role = service as ServiceRole;
      const refresh = [cacheNames.source(env.name, 'ecs')];
      if (body.action === 'redeploy') {
        const { deploymentId } = await forceNewDeployment(env, role);
        return {
          detail: `redeployed ${role}: deployment ${deploymentId}`,
          result: { action: 'redeploy', deploymentId },
          refresh,
        };
      }
      if (body.action === 'scale') {
        const { deploymentId } = await setDesiredCount(env, role, body.desiredCount);
        return {
          detail: `set ${role}'s desired count to ${body.desiredCount}`,
          result: { action: 'scale', desiredCount: body.desiredCount, deploymentId },
          refresh: [...refresh, cacheNames.source(env.name, 'scaling')],
        };
      }
      if (!checked) throw new AppError('internal', 'a rollback without its checked revision');
      const { current, target } = checked;
      const { deploymentId } = await deployTaskDefinition(env, role, target.arn);
      return {
        detail: `rolled ${role} back from ${current.family}:${current.revision} to :${target.revision} (${body.reason}): deployment ${deploymentId}`,
        result: { action: 'rollback', deploymentId, taskDefinition: `${target.family}:${target.revision}` },
        refresh,
      };
    },
  };
}

export function deployAction(environment: string): ActionSpec<z.infer<typeof DeployBody>> {
  return {
    action: 'deploy',
    environment,
    target: 'deploy',
    body: DeployBody,
    check: async (body, env) => {
      if (body.imageTag && !(await imageTagExists(env, body.imageTag))) {
        throw new AppError('invalid_input', `no image tagged ${body.imageTag} in ${env.name}'s repositories`);
      }
    },
    exclusive: (_, env) => ({
      target: 'deploy',
      alsoBlockedBy: [...SERVICE_ROLES],
      graceMs: DEPLOY_GRACE_MS,
      busy: () => serviceBusy(env, SERVICE_ROLES),
    }),
    async run(body, { environment: env }) {
      const run = await dispatchDeploy(env, body);
      const what = body.imageTag ? `${body.ref} (image ${body.imageTag})` : body.ref;
      return {
        detail: `dispatched the deploy of ${what}${run.runId ? `: run ${run.runId}` : ''}`,
        result: { action: 'deploy', runId: run.runId, runUrl: run.htmlUrl },
        refresh: [cacheNames.source(env.name, 'deployRuns')],
      };
    },
  };
}

export function queueAction(environment: string, queue: string): ActionSpec<z.infer<typeof QueueActionBody>> {
  return {
    action: 'queue',
    actionOf: (body) => `queue ${body.action}`,
    environment,
    target: `queue ${queue}`,
    body: QueueActionBody,
    targetExists: (env) => env.queues.names.includes(queue),
    async run(body, { environment: env }) {
      const detail = await controlQueue(env, queue, body.action);
      return { detail, result: { action: body.action }, refresh: [cacheNames.source(env.name, 'queues')] };
    },
  };
}

export function jobAction(environment: string, queue: string, job: string): ActionSpec<z.infer<typeof JobActionBody>> {
  return {
    action: 'job',
    actionOf: (body) => `job ${body.action}`,
    environment,
    target: `job ${job} of queue ${queue}`,
    body: JobActionBody,
    targetExists: (env) => env.queues.names.includes(queue),
    async run(body, { environment: env }) {
      const detail = await controlJob(env, queue, job, body.action);
      if (detail === null) throw new AppError('not_found', `${queue} has no job ${job}`);
      return { detail, result: { action: body.action }, refresh: [cacheNames.source(env.name, 'queues')] };
    },
  };
}
