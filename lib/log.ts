import 'server-only';
import { pino } from 'pino';
import { logLevel } from './config';

/**
 * The control plane's server-side log: JSON lines like the services' (worker/logger.ts),
 * with every place a secret could sit redacted. Errors are logged here with their code and
 * upstream request id; pages show the operator a message, never a stack.
 */
export const log = pino({
  base: { service: 'control-plane' },
  level: logLevel(),
  redact: {
    paths: ['*.redisUrl', '*.REDIS_URL', '*.GITHUB_TOKEN', '*.GITHUB_APP_PRIVATE_KEY', '*.authorization', '*.cookie'],
    censor: '[redacted]',
  },
});
