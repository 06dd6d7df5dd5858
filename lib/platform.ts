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

export function ssmPrefix(environment: string): string {
  return `/${PROJECT}/${environment}/`;
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

/** The GitHub Actions workflow that deploys, and the inputs its workflow_dispatch takes. */
export const DEPLOY_WORKFLOW = 'deploy.yml';
export const DEPLOY_WORKFLOW_INPUTS = ['environment', 'ref', 'image_tag'] as const;
