import type { AuditRecord } from '@/model/schemas/audit';
import { RelativeTime } from './time';
import { Badge, Empty, Table, td, MUTED, TableHead } from './ui';

const RESULT_TONE = { started: 'info', ok: 'good', refused: 'warn', failed: 'bad' } as const;

/** Audit records, newest first: who did (or tried) what, where, and what came of it. */
export function AuditTable({
  records,
  caption,
  compact = false,
}: {
  records: AuditRecord[];
  caption: string;
  compact?: boolean;
}) {
  if (records.length === 0) return <Empty>No actions recorded yet.</Empty>;
  return (
    <Table caption={caption}>
      <TableHead columns={['When', 'Who', 'Action', ...(compact ? [] : ['Environment']), 'Result', 'What happened']} />
      <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
        {records.map((r) => (
          <tr key={r.id} data-audit-action={r.action} data-audit-result={r.result}>
            <td className={`${td} whitespace-nowrap`}>
              <RelativeTime iso={r.at} />
            </td>
            <td className={td}>
              {r.user ?? 'anonymous'}
              {r.role && <span className={`block text-xs ${MUTED}`}>{r.role}</span>}
            </td>
            <td className={`${td} whitespace-nowrap`}>
              {r.action}
              {r.target && <span className={`block text-xs ${MUTED}`}>{r.target}</span>}
            </td>
            {!compact && <td className={td}>{r.environment ?? '—'}</td>}
            <td className={td}>
              <Badge tone={RESULT_TONE[r.result]}>{`${r.result} ${r.status}`}</Badge>
            </td>
            <td className={`${td} min-w-48 text-xs`}>
              {r.detail}
              {!compact && <span className={`block font-mono ${MUTED}`}>request {r.requestId}</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
