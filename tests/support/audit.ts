/** Reading the control plane's audit stream in tests (lib/audit.ts writes it). */
import type { Redis } from 'ioredis';
import { keys } from '../../contracts/keys';

/** The audit record of one request (by the requestId its answer carried), among the newest `within`. */
export async function auditRecordOf(redis: Redis, requestId: unknown, within = 500) {
  const entries = await redis.xrevrange(keys.audit, '+', '-', 'COUNT', within);
  return entries
    .map(([, fields]) => JSON.parse(fields[1]) as Record<string, unknown>)
    .find((r) => r.requestId === requestId);
}
