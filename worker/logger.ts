import { pino, type Logger } from 'pino';

/** JSON logs with every place a secret could sit redacted. */
export function createLogger(service: 'api' | 'worker', level: string): Logger {
  return pino({
    level,
    base: { service },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["x-api-key"]',
        'req.headers.cookie',
        '*.redisUrl',
        '*.REDIS_URL',
        '*.API_KEYS',
      ],
      censor: '[redacted]',
    },
  });
}
