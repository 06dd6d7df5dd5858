import 'server-only';
import { z } from 'zod';

/**
 * The one module that reads process.env, parsed once with zod. Everything else asks here.
 */
const ConfigSchema = z.object({
  /** The environment registry as JSON (wins over the file). */
  PILOTHOUSE_ENVIRONMENTS: z.string().min(1).optional(),
  /** Path of a JSON file holding the environment registry. */
  PILOTHOUSE_ENVIRONMENTS_FILE: z.string().min(1).optional(),
  /** The control plane's own Redis: cache, single-flight locks, pub/sub (Upstash: rediss://). */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  /** Token for the deploy workflow: actions read/write on the platform repo. Server-side only. */
  GITHUB_TOKEN: z.string().min(1).optional(),
  /** GitHub's REST API root: api.github.com, a GitHub Enterprise Server, or the local stand-in. */
  GITHUB_API_URL: z.url().default('https://api.github.com'),
  /** Sends every AWS call to one endpoint: the local emulator. Unset in production. */
  AWS_ENDPOINT_URL: z.url().optional(),
});
export type Config = z.infer<typeof ConfigSchema>;

let cached: Config | undefined;

export function getConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = ConfigSchema.safeParse(env);
  if (!result.success) {
    const fields = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid environment variables: ${fields}`);
  }
  return result.data;
}
