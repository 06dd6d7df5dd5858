/** One error type for the app, with a code that `respond()` maps to an HTTP status. */
export const ERROR_STATUS = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  upstream_failed: 502,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}

/** An AWS or other upstream call failed; keeps the AWS request id for the logs. */
export class UpstreamError extends AppError {
  constructor(
    readonly upstream: string,
    message: string,
    readonly requestId?: string,
    options?: { cause?: unknown },
  ) {
    super('upstream_failed', message, options);
    this.name = 'UpstreamError';
  }
}
