import 'server-only';
import { UpstreamError } from '../errors';

/** Runs one AWS call (or a paginated loop); a failure becomes our UpstreamError. */
export async function awsCall<T>(service: string, operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw toUpstreamError(service, operation, err);
  }
}

/** Turns an SDK (or network) failure into our UpstreamError, keeping the request id. */
export function toUpstreamError(service: string, operation: string, err: unknown): UpstreamError {
  const meta = (err as { $metadata?: { requestId?: string } }).$metadata;
  const name = err instanceof Error ? err.name : 'Error';
  const message = err instanceof Error ? err.message : String(err);
  return new UpstreamError(service, `${service} ${operation} failed: ${name}: ${message}`, meta?.requestId, {
    cause: err,
  });
}
