/**
 * What a rollback changes: the difference between the running task definition revision and
 * the chosen one, per container (image tag and digest, environment variable and secret
 * names) and for the task (CPU, memory). Names only, never values. Pure and browser-safe:
 * the rollback confirmation computes it from the revisions the service page already has.
 */
import type { TaskDefinitionRevision } from './schemas/ecs';

export type Change = { from: string | null; to: string | null };
export type NameChanges = { added: string[]; removed: string[] };
export type ContainerDiff = {
  name: string;
  /** `added`/`removed`: the container exists in only one of the two revisions. */
  presence: 'both' | 'added' | 'removed';
  image: Change | null;
  digest: Change | null;
  environment: NameChanges;
  secrets: NameChanges;
};
export type RevisionDiff = {
  cpu: Change | null;
  memory: Change | null;
  containers: ContainerDiff[];
  identical: boolean;
};

type Container = TaskDefinitionRevision['containers'][number];
/** ECR's digest for a container's image, when the revision does not pin one. */
export type DigestLookup = (container: Container) => string | null;

function change(from: string | null, to: string | null): Change | null {
  return from === to ? null : { from, to };
}

function names(from: string[], to: string[]): NameChanges {
  return { added: to.filter((n) => !from.includes(n)), removed: from.filter((n) => !to.includes(n)) };
}

export function diffRevisions(
  current: TaskDefinitionRevision,
  target: TaskDefinitionRevision,
  digestOf: DigestLookup = (c) => c.digest,
): RevisionDiff {
  const containerNames = [
    ...new Set([...current.containers.map((c) => c.name), ...target.containers.map((c) => c.name)]),
  ];
  const containers = containerNames.map((name): ContainerDiff => {
    const from = current.containers.find((c) => c.name === name);
    const to = target.containers.find((c) => c.name === name);
    const digest = (c: Container | undefined) => (c ? (c.digest ?? digestOf(c)) : null);
    return {
      name,
      presence: from && to ? 'both' : to ? 'added' : 'removed',
      image: change(from?.image ?? null, to?.image ?? null),
      digest: change(digest(from), digest(to)),
      environment: names(from?.environmentNames ?? [], to?.environmentNames ?? []),
      secrets: names(from?.secretNames ?? [], to?.secretNames ?? []),
    };
  });
  const cpu = change(current.cpu, target.cpu);
  const memory = change(current.memory, target.memory);
  const identical =
    !cpu &&
    !memory &&
    containers.every(
      (c) =>
        c.presence === 'both' &&
        !c.image &&
        !c.digest &&
        [c.environment, c.secrets].every((n) => n.added.length === 0 && n.removed.length === 0),
    );
  return { cpu, memory, containers, identical };
}
