'use client';
import { formatDuration, formatTime } from '../format';
import { useNow } from '../time';
import { useLive } from './live-environment';
import { MUTED } from '../ui';

/** How fresh the page is, whether the stream is up, and the pause control. */
export function LiveStatus() {
  const { connection, at, paused, waiting, setPaused } = useLive();
  const now = useNow();
  const age = Math.max(0, now - Date.parse(at));
  const label = paused
    ? 'paused'
    : {
        live: 'live',
        connecting: 'connecting…',
        delayed: 'updates delayed',
        reconnecting: 'reconnecting…',
        ended: 'ended: you no longer have a role here (reload to check)',
      }[connection];
  const dot = paused
    ? 'bg-slate-400'
    : connection === 'live'
      ? 'bg-emerald-500'
      : connection === 'ended'
        ? 'bg-rose-500'
        : 'bg-amber-500 animate-pulse';
  return (
    <div
      className={`flex flex-wrap items-center gap-3 text-xs ${MUTED}`}
      data-testid="live-status"
      data-connection={connection}
    >
      <span role="status" aria-live="polite" className="inline-flex items-center gap-1.5">
        <span aria-hidden className={`h-2 w-2 rounded-full ${dot}`} />
        <span data-testid="live-state">{label}</span>
      </span>
      <span title={formatTime(at)} suppressHydrationWarning>
        data from{' '}
        <span className="tabular-nums" data-testid="live-age" suppressHydrationWarning>
          {formatDuration(age)}
        </span>{' '}
        ago
      </span>
      {paused && waiting > 0 && (
        <span data-testid="updates-waiting">
          {waiting} update{waiting === 1 ? '' : 's'} waiting
        </span>
      )}
      <button
        type="button"
        onClick={() => setPaused(!paused)}
        className="rounded border border-slate-300 px-2 py-0.5 font-medium text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 dark:border-slate-600 dark:text-slate-200 dark:hover:bg-slate-800"
      >
        {/* "updates": the queue page has its own Pause, for the queue itself */}
        {paused ? 'Resume updates' : 'Pause updates'}
      </button>
    </div>
  );
}
