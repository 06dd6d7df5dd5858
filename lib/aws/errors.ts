import 'server-only';
import { UpstreamError } from '../../model/errors';

/** Runs one AWS call (or a paginated loop); a failure becomes our UpstreamError. */
export async function awsCall<T>(service: string, operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw toUpstreamError(service, operation, err);
  }
}

/**
 * The error codes AWS answers when it throttles (the SDK's own list, in
 * @smithy/service-error-classification, less LimitExceededException, which ECS and CloudWatch
 * also answer for a quota): the SDK has retried them already; what is left is a `rate_limited`
 * error, which the cache serves through quietly for a while (lib/cache.ts) and an action
 * answers as 503, to be retried (lib/actions.ts).
 */
const THROTTLING_ERROR_NAMES = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);

/** Turns an SDK (or network) failure into our UpstreamError, keeping the request id. */
export function toUpstreamError(service: string, operation: string, err: unknown): UpstreamError {
  const meta = (err as { $metadata?: { requestId?: string } }).$metadata;
  const name = err instanceof Error ? err.name : 'Error';
  const message = err instanceof Error ? err.message : String(err);
  return new UpstreamError(service, `${service} ${operation} failed: ${name}: ${message}`, meta?.requestId, {
    cause: err,
    code: THROTTLING_ERROR_NAMES.has(name) ? 'rate_limited' : 'upstream_failed',
  });
}
