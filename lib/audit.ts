import 'server-only';
import { getRedis } from './redis';
import { keys } from './keys';
import { log } from './log';
import { AuditRecordSchema, type AuditRecord } from './schemas/audit';
export { AuditRecordSchema, type AuditRecord } from './schemas/audit';

/**
 * The audit trail: every sign-in and every action attempt, allowed or refused, appended to a
 * Redis stream (XADD, capped near AUDIT_MAX_RECORDS). Nobody can edit it through the control
 * plane: there is no route that writes it except by acting.
 */
export const AUDIT_MAX_RECORDS = 50_000;

export type AuditEntry = Omit<AuditRecord, 'id' | 'at'>;

/** Appends one record. Throws when Redis does not take it: an action must not run unaudited. */
export async function audit(entry: AuditEntry): Promise<string> {
  const record = { ...entry, at: new Date().toISOString() };
  const id = await getRedis().xadd(keys.audit, 'MAXLEN', '~', String(AUDIT_MAX_RECORDS), '*', 'record', JSON.stringify(record));
  log.info({ audit: { ...record, id } }, `audit ${entry.action} ${entry.result}`);
  return id!;
}

/** For refusals: they are recorded if Redis takes them, and never turn a 4xx into a 500. */
export async function auditQuietly(entry: AuditEntry): Promise<void> {
  try {
    await audit(entry);
  } catch (err) {
    log.error({ err: (err as Error).message, audit: entry }, 'audit record lost: Redis did not take it');
  }
}

export type AuditFilter = { environment?: string; user?: string; action?: string; result?: AuditRecord['result'] };

/** Newest first, filtered (and limited to what `visible` lets the reader see, before the limit); reads at most `scan` records back. */
export async function readAudit(filter: AuditFilter = {}, limit = 100, scan = 2_000, visible: (record: AuditRecord) => boolean = () => true): Promise<AuditRecord[]> {
  const entries = await getRedis().xrevrange(keys.audit, '+', '-', 'COUNT', scan);
  const records: AuditRecord[] = [];
  for (const [id, fields] of entries) {
    const raw = fields[fields.indexOf('record') + 1];
    const parsed = AuditRecordSchema.safeParse({ id, ...JSON.parse(raw ?? '{}') });
    if (!parsed.success) continue;
    const r = parsed.data;
    if (filter.environment && r.environment !== filter.environment) continue;
    if (filter.user && r.user?.toLowerCase() !== filter.user.toLowerCase()) continue;
    if (filter.action && r.action !== filter.action) continue;
    if (filter.result && r.result !== filter.result) continue;
    if (!visible(r)) continue;
    records.push(r);
    if (records.length >= limit) break;
  }
  return records;
}
