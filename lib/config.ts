import 'server-only';
import { z } from 'zod';
import { AppError } from '../model/errors';

/**
 * The one module that reads process.env, parsed once with zod. Everything else asks here.
 */
const ConfigSchema = z.object({
  /** The environment registry as JSON (wins over the file). */
  PILOTHOUSE_ENVIRONMENTS: z.string().min(1).optional(),
  /** Path of a JSON file holding the environment registry. */
  PILOTHOUSE_ENVIRONMENTS_FILE: z.string().min(1).optional(),
  /** The control plane's own Redis: cache, single-flight locks, pub/sub (Upstash: rediss://). */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  /** A token for the deploy workflow (actions read/write on the platform repo): local use. */
  GITHUB_TOKEN: z.string().min(1).optional(),
  /** The GitHub App that dispatches deploys and reads runs in production (installation tokens). */
  GITHUB_APP_ID: z.string().regex(/^\d+$/, 'must be the numeric App ID').optional(),
  /** The App's private key (PEM); literal `\n` sequences, as some secret stores keep them, are accepted. */
  GITHUB_APP_PRIVATE_KEY: z
    .string()
    .transform((pem) => pem.replace(/\\n/g, '\n'))
    .refine((pem) => pem.includes('PRIVATE KEY-----'), 'must be a PEM private key')
    .optional(),
  GITHUB_APP_INSTALLATION_ID: z.string().regex(/^\d+$/, 'must be the numeric installation ID').optional(),
  /** GitHub's REST API root: api.github.com, a GitHub Enterprise Server, or the local stand-in. */
  GITHUB_API_URL: z.url().default('https://api.github.com'),
  /** Sign-in (next-auth): the key that encrypts session cookies. Never sent anywhere. */
  NEXTAUTH_SECRET: z.string().min(32, 'must be at least 32 characters (openssl rand -base64 32)').optional(),
  /** This control plane's public URL (OAuth callbacks). On Vercel, next-auth falls back to VERCEL_URL. */
  NEXTAUTH_URL: z.url().optional(),
  /** The GitHub OAuth app people sign in with. */
  GITHUB_OAUTH_CLIENT_ID: z.string().min(1).optional(),
  GITHUB_OAUTH_CLIENT_SECRET: z.string().min(1).optional(),
  /** Where GitHub's OAuth pages live: github.com, a GitHub Enterprise Server, or the local stand-in. */
  GITHUB_OAUTH_URL: z.url().default('https://github.com'),
  /** Where each change of an environment's status is posted (a Slack incoming webhook or anything that takes its payload). A secret. */
  STATUS_WEBHOOK_URL: z.url().optional(),
  /** Vercel Cron sends it as a bearer token to /api/cron/status; nothing else may call that route. */
  CRON_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Sends every AWS call to one endpoint: the local emulator. Unset in production. */
  AWS_ENDPOINT_URL: z.url().optional(),
  /**
   * How an environment's `aws.roleArn` is assumed: with Vercel's OIDC token
   * (AssumeRoleWithWebIdentity, no keys: what the Terraform trusts) or with the base
   * credentials' sts:AssumeRole (an operator's machine, the local emulator). Default:
   * `vercel-oidc` on Vercel, `assume-role` elsewhere.
   */
  PILOTHOUSE_AWS_CREDENTIALS: z.enum(['vercel-oidc', 'assume-role']).optional(),
  /** Set to 1 by Vercel in its builds and functions. */
  VERCEL: z.string().optional(),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
const LogLevelSchema = ConfigSchema.shape.LOG_LEVEL;
export type Config = z.infer<typeof ConfigSchema>;

let cached: Config | undefined;

export function getConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = ConfigSchema.safeParse(env);
  if (!result.success) {
    // Names the variables, never their values (some are secrets).
    const fields = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new AppError('internal', `Invalid environment variables: ${fields}`);
  }
  return result.data;
}

/** The log level alone: the logger is made at import, before the rest of the config is read (or valid). */
export function logLevel(): z.infer<typeof LogLevelSchema> {
  const parsed = LogLevelSchema.safeParse(process.env.LOG_LEVEL);
  return parsed.success ? parsed.data : 'info';
}

export type AwsCredentialSource = 'vercel-oidc' | 'assume-role';

export function awsCredentialSource(config: Config = getConfig()): AwsCredentialSource {
  return config.PILOTHOUSE_AWS_CREDENTIALS ?? (config.VERCEL === '1' ? 'vercel-oidc' : 'assume-role');
}

export type GithubAuth =
  | { kind: 'app'; appId: string; privateKey: string; installationId: string }
  | { kind: 'token'; token: string }
  | { kind: 'none' };

/** The GitHub App when configured (production), else the token (local use). */
export function githubAuth(config: Config = getConfig()): GithubAuth {
  const {
    GITHUB_APP_ID: appId,
    GITHUB_APP_PRIVATE_KEY: privateKey,
    GITHUB_APP_INSTALLATION_ID: installationId,
  } = config;
  if (appId && privateKey && installationId) return { kind: 'app', appId, privateKey, installationId };
  if (config.GITHUB_TOKEN) return { kind: 'token', token: config.GITHUB_TOKEN };
  return { kind: 'none' };
}

/**
 * What a production server cannot work without, by name: checked once at start-up
 * (instrumentation.ts), so a missing secret stops the deployment instead of failing
 * every request. Empty when nothing is missing.
 */
export function missingProductionSettings(config: Config): string[] {
  if (config.NODE_ENV !== 'production') return [];
  const missing: string[] = [];
  if (!config.REDIS_URL) missing.push('REDIS_URL');
  for (const name of ['NEXTAUTH_SECRET', 'GITHUB_OAUTH_CLIENT_ID', 'GITHUB_OAUTH_CLIENT_SECRET'] as const) {
    if (!config[name]) missing.push(name);
  }
  if (!config.NEXTAUTH_URL && config.VERCEL !== '1') missing.push('NEXTAUTH_URL');
  const app = {
    GITHUB_APP_ID: config.GITHUB_APP_ID,
    GITHUB_APP_PRIVATE_KEY: config.GITHUB_APP_PRIVATE_KEY,
    GITHUB_APP_INSTALLATION_ID: config.GITHUB_APP_INSTALLATION_ID,
  };
  const appSet = Object.entries(app)
    .filter(([, v]) => v)
    .map(([k]) => k);
  if (appSet.length > 0 && appSet.length < 3) {
    missing.push(...Object.keys(app).filter((k) => !appSet.includes(k)));
  } else if (appSet.length === 0 && !config.GITHUB_TOKEN) {
    missing.push('GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY and GITHUB_APP_INSTALLATION_ID (or GITHUB_TOKEN)');
  }
  return missing;
}
