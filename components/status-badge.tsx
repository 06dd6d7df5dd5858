'use client';
import { useEnvironmentStatus } from './live/live-environment';
import { Badge, MUTED } from './ui';

const TONE = { healthy: 'good', degraded: 'warn', down: 'bad' } as const;

/** healthy / degraded / down, and the reason that decided it. */
export function EnvironmentStatusLine() {
  const verdict = useEnvironmentStatus();
  return (
    <p
      className="flex min-w-0 flex-wrap items-center gap-2 text-sm"
      data-testid="environment-status"
      data-status={verdict.status}
    >
      <Badge tone={TONE[verdict.status]}>{verdict.status}</Badge>
      {verdict.reasons[0] && <span className="min-w-0 text-slate-700 dark:text-slate-300">{verdict.reasons[0]}</span>}
      {verdict.reasons.length > 1 && (
        <span className={`text-xs ${MUTED}`} title={verdict.reasons.slice(1).join('\n')}>
          +{verdict.reasons.length - 1} more
        </span>
      )}
      {verdict.pending && verdict.pending.length > 0 && (
        <span className={`text-xs ${MUTED}`} data-testid="status-pending">
          as far as read: still reading {verdict.pending.join(', ')}
        </span>
      )}
      {verdict.unrefreshed.length > 0 && (
        <span className="text-xs text-amber-800 dark:text-amber-200" data-testid="status-unrefreshed">
          judged on older {verdict.unrefreshed.join(', ')} data (the last read failed)
        </span>
      )}
    </p>
  );
}
