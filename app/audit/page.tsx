import type { Metadata } from 'next';
import { connection } from 'next/server';
import { z } from 'zod';
import { AuditTable } from '@/components/audit-table';
import { Card, MUTED } from '@/components/ui';
import { hasRole } from '@/lib/access';
import { readAudit } from '@/lib/audit';
import { requireSignedInPage } from '@/lib/auth';
import { readOnce } from '@/lib/environment-page';
import { listEnvironments } from '@/lib/environments';
import { AUDIT_RESULTS, type AuditRecord } from '@/model/schemas/audit';

export const metadata: Metadata = { title: 'audit · Pilothouse' };

// Filters from the URL; a bad value is no filter (a hand-edited link still shows the page).
const Filter = z.object({
  environment: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,30}$/)
    .optional()
    .catch(undefined),
  user: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,39}$/)
    .optional()
    .catch(undefined),
  action: z
    .string()
    .regex(/^[a-z -]{1,40}$/)
    .optional()
    .catch(undefined),
  result: z.enum(AUDIT_RESULTS).optional().catch(undefined),
});

/** The audit trail: read-only for every signed-in person, for the environments they have a role in. */
export default async function AuditPage({ searchParams }: PageProps<'/audit'>) {
  await connection();
  const user = await requireSignedInPage();
  const filter = Filter.parse(await searchParams);
  // Actions of the environments the reader has a role in; sign-ins (no environment) only their own.
  const visible = (r: AuditRecord) =>
    r.environment === null
      ? r.user?.toLowerCase() === user.login.toLowerCase()
      : hasRole(user.roles, r.environment, 'viewer');
  const read = await readOnce(readAudit(filter, 200, 2_000, visible));
  const records = read.value ?? [];
  const environments = listEnvironments().filter((e) => hasRole(user.roles, e.name, 'viewer'));
  const select = 'rounded border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-600 dark:bg-slate-900';
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Audit</h1>
      <p className={`text-sm ${MUTED}`}>
        Every action attempt in your environments, allowed or refused, and your own sign-ins, newest first. Nobody can
        change it here.
      </p>
      <form className="flex flex-wrap items-end gap-3 text-sm" aria-label="Filter the audit">
        <label className="flex flex-col gap-1">
          Environment
          <select name="environment" defaultValue={filter.environment ?? ''} className={select}>
            <option value="">all</option>
            {environments.map((e) => (
              <option key={e.name} value={e.name}>
                {e.name}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1">
          Who
          <input name="user" defaultValue={filter.user ?? ''} placeholder="GitHub login" className={select} />
        </label>
        <label className="flex flex-col gap-1">
          Action
          <input name="action" defaultValue={filter.action ?? ''} placeholder="redeploy, scale…" className={select} />
        </label>
        <label className="flex flex-col gap-1">
          Result
          <select name="result" defaultValue={filter.result ?? ''} className={select}>
            <option value="">all</option>
            {AUDIT_RESULTS.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <button
          type="submit"
          className="rounded bg-slate-800 px-3 py-1.5 font-medium text-white dark:bg-slate-200 dark:text-slate-900"
        >
          Filter
        </button>
      </form>
      {read.error && (
        <p role="alert" className="text-sm text-rose-700 dark:text-rose-300">
          The audit could not be read: {read.error.message}
        </p>
      )}
      <Card title={`${records.length} record${records.length === 1 ? '' : 's'}`}>
        <AuditTable records={records} caption="Audit records" />
      </Card>
    </div>
  );
}
