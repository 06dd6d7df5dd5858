import { z } from 'zod';

/**
 * One error type for the control plane, with a code; route handlers map codes to HTTP
 * statuses in one place. No server-only import: the browser renders `ErrorInfo` too.
 */
export const ERROR_CODES = [
  'invalid_input',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'too_large',
  'rate_limited',
  'upstream_failed',
  'unavailable',
  'timeout',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

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

/** An AWS or other upstream call failed; keeps the upstream's request id for the logs. */
export class UpstreamError extends AppError {
  constructor(
    readonly upstream: string,
    message: string,
    readonly requestId?: string,
    options?: { cause?: unknown; code?: ErrorCode },
  ) {
    super(options?.code ?? 'upstream_failed', message, options);
    this.name = 'UpstreamError';
  }
}

/**
 * What a failed part of a page carries: enough for an operator to act on (which upstream,
 * what it said, the request id to quote to AWS support), never a stack.
 */
export const ErrorInfoSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  upstream: z.string().nullable(),
  requestId: z.string().nullable(),
});
export type ErrorInfo = z.infer<typeof ErrorInfoSchema>;

/** Our errors keep their code and request id; anything else is `internal` with its message. */
export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof UpstreamError)
    return { code: err.code, message: err.message, upstream: err.upstream, requestId: err.requestId ?? null };
  if (err instanceof AppError) return { code: err.code, message: err.message, upstream: null, requestId: null };
  return {
    code: 'internal',
    message: err instanceof Error ? err.message : String(err),
    upstream: null,
    requestId: null,
  };
}

/**
 * A value a zod schema refused, as the `invalid_input` AppError the caller answers 400:
 * the first few issues, each with where it is (`root` when the issue is the whole value).
 */
export function invalidInput(error: z.ZodError, root = 'body'): AppError {
  const issues = error.issues.slice(0, 5).map((i) => `${i.path.join('.') || root}: ${i.message}`);
  return new AppError('invalid_input', issues.join('; '));
}

/** The HTTP status a route answers for each code: one table for every route handler. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
  upstream_failed: 502,
  unavailable: 503,
  timeout: 504,
  internal: 500,
};
