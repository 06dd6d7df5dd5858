/**
 * The services' configuration, the one place in worker/ that reads process.env.
 * On ECS the secrets among these come from SSM through the task definition's `secrets`
 * block (contracts/platform.ts SSM_PARAMETER_KEYS), under the same names.
 */
import { z } from 'zod';
import { InvalidConfigError } from './errors/invalid-config-error.js';

const Common = z.object({
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'),
  ARTIFACTS_BUCKET: z.string().min(3),
  AWS_REGION: z.string().default('us-east-1'),
  /** The local emulator; unset on AWS. */
  AWS_ENDPOINT_URL: z.url().optional(),
  /** host or host:port entries the SSRF guard lets through (comma separated). */
  WORKER_URL_ALLOWLIST: z.string().default(''),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

const Int = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback);

export const ApiConfigSchema = Common.extend({
  /** `id:secret` pairs, comma separated: who may call POST /api/jobs. */
  API_KEYS: z
    .string()
    .min(1)
    .transform((text, ctx) => {
      const keys = text
        .split(',')
        .map((pair) => pair.trim())
        .filter(Boolean)
        .map((pair) => {
          const i = pair.indexOf(':');
          return { id: pair.slice(0, i), secret: pair.slice(i + 1) };
        });
      if (keys.some((k) => !k.id || k.secret.length < 16)) {
        ctx.addIssue({ code: 'custom', message: 'each entry must be id:secret with a secret of 16+ characters' });
        return z.NEVER;
      }
      return keys;
    }),
  HOST: z.string().default('0.0.0.0'),
  PORT: Int(0, 8000),
  RATE_LIMIT_PER_MINUTE: Int(1, 60),
});
export type ApiConfig = z.infer<typeof ApiConfigSchema>;

export const WorkerConfigSchema = Common.extend({
  WORKER_CONCURRENCY: Int(1, 2),
  JOB_TIMEOUT_MS: Int(1000, 30_000),
  /** How long SIGTERM waits for running jobs before handing them back (ECS stopTimeout is 30 s). */
  STOP_GRACE_MS: Int(0, 20_000),
  /**
   * A running job's lock (BullMQ's lockDuration, renewed every half of it): a worker silent
   * for longer (killed, or cut off from Redis) has its job taken back as stalled and run again.
   */
  JOB_LOCK_MS: Int(1000, 30_000),
  CHROMIUM_PATH: z.string().default('/usr/bin/chromium'),
  /** The environment this worker serves: the backlog metric's dimension. */
  ENVIRONMENT: z.string().min(1).default('local'),
  /** How often the backlog metric is published to CloudWatch; 0 turns it off. */
  BACKLOG_METRIC_INTERVAL_MS: Int(0, 60_000),
});
export type WorkerConfig = z.infer<typeof WorkerConfigSchema>;

export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    // Names the variables, never their values (some are secrets).
    const fields = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new InvalidConfigError(`invalid configuration: ${fields}`);
  }
  return result.data;
}

export function parseAllowlist(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
}
