/**
 * The platform's shared facts, defined once: read by the services' config, the local
 * seeding, the control plane's checks and (through a generated tfvars file) the Terraform.
 * Plain constants with no server-only import, so scripts and the worker can use them too.
 */

export const PROJECT = 'pilothouse';

/** The two ECS services of every environment. */
export const SERVICE_ROLES = ['api', 'worker'] as const;
export type ServiceRole = (typeof SERVICE_ROLES)[number];

/** The nine SecureString parameters every environment has at `/{project}/{environment}/{KEY}`. */
export const SSM_PARAMETER_KEYS = [
  'REDIS_URL',
  'API_KEYS',
  'ARTIFACTS_BUCKET',
  'ARTIFACTS_SIGNING_SECRET',
  'SESSION_SECRET',
  'GITHUB_WEBHOOK_SECRET',
  'SENTRY_DSN',
  'WORKER_URL_ALLOWLIST',
  'OTEL_EXPORTER_OTLP_HEADERS',
] as const;
export type SsmParameterKey = (typeof SSM_PARAMETER_KEYS)[number];

/**
 * Which of the nine each service receives (the task definition's `secrets`): the worker
 * renders pages that users choose, so it never holds the api's keys or secrets.
 * infrastructure/modules/ecs (var.service_secret_keys) must say the same; a test compares,
 * and another checks each service's config schema reads only its own.
 */
export const SERVICE_SECRET_KEYS = {
  // The api takes and serves jobs, checks keys and signs links: it uses all nine.
  api: SSM_PARAMETER_KEYS,
  worker: ['REDIS_URL', 'ARTIFACTS_BUCKET', 'SENTRY_DSN', 'WORKER_URL_ALLOWLIST', 'OTEL_EXPORTER_OTLP_HEADERS'],
} as const satisfies Record<ServiceRole, readonly SsmParameterKey[]>;

export function ssmPrefix(environment: string): string {
  return `/${PROJECT}/${environment}/`;
}

/**
 * Where each service's logs go: the awslogs driver writes a task's output to
 * `/ecs/{cluster}/{service}`, one stream per task, `{prefix}/{container}/{task id}` with the
 * service as prefix and container (infrastructure/modules/ecs). The local forwarder
 * (scripts/platform/log-forwarder.ts) writes the demo's services the same way.
 */
export function serviceLogGroup(cluster: string, role: ServiceRole): string {
  return `/ecs/${cluster}/${role}`;
}
export function taskLogStream(role: ServiceRole, taskId: string): string {
  return `${role}/${role}/${taskId}`;
}
/** The task id at the end of an awslogs stream name (null for a stream of another shape). */
export function taskIdOfStream(stream: string): string | null {
  return /^[^/]+\/[^/]+\/([A-Za-z0-9-]+)$/.exec(stream)?.[1] ?? null;
}
/** ECS's task-state and deployment-state events, kept 30 days (EventBridge targets must sit under /aws/events/). */
export function ecsEventsLogGroup(cluster: string): string {
  return `/aws/events/${cluster}/ecs`;
}
/** How long the events log group keeps them: the service page's stopped-task history. */
export const ECS_EVENTS_RETENTION_DAYS = 30;
/**
 * The EventBridge rules that deliver them (infrastructure/modules/ecs `ecs_history_rules`, and
 * the local seed): tasks of the cluster that stopped, and its services' deployments.
 */
export function ecsHistoryRules(clusterArn: string, serviceArns: string[]) {
  return {
    'task-stopped': {
      source: ['aws.ecs'],
      'detail-type': ['ECS Task State Change'],
      detail: { clusterArn: [clusterArn], lastStatus: ['STOPPED'] },
    },
    deployment: { source: ['aws.ecs'], 'detail-type': ['ECS Deployment State Change'], resources: serviceArns },
  };
}

/** BullMQ queues between the api and the worker, one per job kind. */
export const QUEUE_NAMES = ['screenshot', 'pdf', 'scrape'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** The environments the local platform seeds, as the Terraform roots create them. */
export const ENVIRONMENT_NAMES = ['staging', 'production'] as const;

/**
 * The worker scales on jobs waiting per running task: the backlog the worker publishes over
 * Container Insights' task count. infrastructure/modules/ecs and the local seed both use it
 * (tests/infra/terraform.test.ts compares).
 */
export const WORKER_BACKLOG_METRIC = { namespace: 'Pilothouse', name: 'QueueBacklog' } as const;
export const WORKER_BACKLOG_PER_TASK_EXPRESSION = 'backlog / IF(tasks > 0, tasks, 1)';
/** Published beside the backlog: how long the job that has waited longest has waited (seconds), for the timeline. */
export const WORKER_OLDEST_WAITING_METRIC = { namespace: 'Pilothouse', name: 'QueueOldestWaitingSeconds' } as const;

/**
 * The GitHub Actions workflow that deploys, and the inputs its workflow_dispatch takes. The
 * workflow file always runs from the default branch (the deploy role trusts only that);
 * what to deploy is the `ref` input.
 */
export const DEPLOY_WORKFLOW = 'deploy.yml';
export const DEPLOY_WORKFLOW_INPUTS = ['environment', 'ref', 'image_tag'] as const;
export const DEPLOY_WORKFLOW_BRANCH = 'main';

/** A git ref we pass on: branch, tag or SHA; no `..`, no leading dash, no spaces or shell characters. */
export const GIT_REF_PATTERN = /^(?!-)(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9._/-]{1,255}$/;
/** A Docker image tag (Docker's own rule): what `image_tag` must be before the workflow uses it. */
export const IMAGE_TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * The deploy run's title (`run-name` in deploy.yml): GitHub lists runs without their inputs,
 * so the title carries what was deployed. tests/infra/workflows.test.ts checks the workflow's
 * run-name renders to this.
 */
export function deployRunTitle(inputs: { environment: string; ref: string; image_tag?: string }): string {
  return `Deploy ${inputs.ref} to ${inputs.environment}${inputs.image_tag ? ` (image ${inputs.image_tag})` : ''}`;
}

export function parseDeployRunTitle(
  title: string,
): { ref: string; environment: string; imageTag: string | null } | null {
  const match = /^Deploy (\S+) to ([a-z][a-z0-9-]*)(?: \(image (\S+)\))?$/.exec(title);
  return match ? { ref: match[1], environment: match[2], imageTag: match[3] ?? null } : null;
}

/**
 * Jobs the api keeps per host in its index (contracts/keys.ts `serviceKeys.jobsByHost`); an
 * entry whose job BullMQ has removed is skipped by the reader.
 */
export const JOBS_INDEXED_PER_HOST = 10_000;
