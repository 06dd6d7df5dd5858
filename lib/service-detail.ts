import 'server-only';
import { z } from 'zod';
import { listServiceTasks, listStoppedTasks, listTaskDefinitionRevisions } from './aws/ecs';
import type { Cached, CachePolicy } from './cache';
import type { Environment } from './environments';
import { cacheNames } from '../contracts/keys';
import type { ServiceRole } from '../contracts/platform';
import type { StoppedTask, Task, TaskDefinitionRevision } from '../model/schemas/ecs';
import { sharedCache } from './snapshot';
import { TaskSchema, TaskDefinitionRevisionSchema } from '../model/schemas/ecs';
import { StoppedTaskSchema } from '../model/schemas/ecs';

/** Tasks move with every rollout; revisions only with deploys. */
export const SERVICE_DETAIL_POLICIES = {
  tasks: { ttlMs: 5_000, maxStaleMs: 10 * 60_000 },
  stoppedTasks: { ttlMs: 10_000, maxStaleMs: 60 * 60_000 },
  revisions: { ttlMs: 60_000, maxStaleMs: 60 * 60_000 },
} satisfies Record<string, CachePolicy>;

export type ServiceDetail = {
  tasks: Cached<Task[]>;
  stoppedTasks: Cached<StoppedTask[]>;
  revisions: Cached<TaskDefinitionRevision[]>;
};

/** What the service page adds to the environment's snapshot: running and stopped tasks, and the family's revisions. */
export async function getServiceDetail(env: Environment, role: ServiceRole, family: string): Promise<ServiceDetail> {
  const cache = sharedCache();
  const service = env.ecs.services[role];
  const [tasks, stoppedTasks, revisions] = await Promise.all([
    cache.get(cacheNames.serviceTasks(env.name, role), SERVICE_DETAIL_POLICIES.tasks, z.array(TaskSchema), () =>
      listServiceTasks(env, service),
    ),
    cache.get(
      cacheNames.stoppedTasks(env.name, role),
      SERVICE_DETAIL_POLICIES.stoppedTasks,
      z.array(StoppedTaskSchema),
      () => listStoppedTasks(env, service),
    ),
    cache.get(
      cacheNames.taskDefinitions(env.name, role),
      SERVICE_DETAIL_POLICIES.revisions,
      z.array(TaskDefinitionRevisionSchema),
      () => listTaskDefinitionRevisions(env, family),
    ),
  ]);
  return { tasks, stoppedTasks, revisions };
}
