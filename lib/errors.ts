/**
 * One error type for the control plane, with a code; route handlers (when they come) map
 * codes to HTTP statuses in one place.
 */
export type ErrorCode = 'invalid_input' | 'unauthorized' | 'forbidden' | 'not_found' | 'conflict' | 'rate_limited' | 'upstream_failed';

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
