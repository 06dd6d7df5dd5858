'use client';
/**
 * A live tail in the browser: the lines the one shared reader publishes (lib/log-tail.ts),
 * appended as they come. Follow keeps the newest in view; pause freezes the view and counts
 * what waits; the filter narrows what is shown as you type (in the browser: no AWS call).
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { readLogMessage, type LogLine } from '@/model/schemas/logs';
import { TailBatchSchema } from '@/model/schemas/tail';
import { LogLines } from './log-lines';
import { Card, MUTED } from './ui';

/** Lines kept in the page: enough to scroll back a while, bounded for a tab left open all night. */
const KEPT = 2_000;

export function LogTail({ env, role, initial }: { env: string; role: string; initial: LogLine[] }) {
  const [lines, setLines] = useState<LogLine[]>(initial);
  /** Paused: the id of the last line shown when it was paused (the view keeps to it; new lines wait). */
  const [pausedAt, setPausedAt] = useState<string | null>(null);
  const paused = pausedAt !== null;
  const [filter, setFilter] = useState('');
  const [errorsOnly, setErrorsOnly] = useState(false);
  const [state, setState] = useState<'connecting' | 'live' | 'reconnecting'>('connecting');
  const [behind, setBehind] = useState(false);
  const follow = useRef(true);
  const bottom = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const source = new EventSource(
      `/api/environments/${encodeURIComponent(env)}/services/${encodeURIComponent(role)}/logs/tail`,
    );
    source.onopen = () => setState('live');
    source.onerror = () => setState('reconnecting');
    source.addEventListener('snapshot', (event) => {
      const parsed = TailBatchSchema.safeParse(
        (JSON.parse((event as MessageEvent<string>).data) as { snapshot: unknown }).snapshot,
      );
      if (!parsed.success) return;
      setBehind(parsed.data.behind);
      if (!parsed.data.lines.length) return;
      setLines((current) => {
        const known = new Set(current.map((l) => l.id));
        const fresh = parsed.data.lines.filter((l) => !known.has(l.id));
        return fresh.length ? [...current, ...fresh].slice(-KEPT) : current;
      });
    });
    return () => source.close();
  }, [env, role]);

  const shown = useMemo(() => {
    if (pausedAt === null) return lines;
    const last = lines.findIndex((l) => l.id === pausedAt);
    return last === -1 ? lines : lines.slice(0, last + 1);
  }, [lines, pausedAt]);

  const visible = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return shown.filter(
      (line) =>
        (!needle || line.message.toLowerCase().includes(needle)) &&
        (!errorsOnly || readLogMessage(line.message).level === 'error'),
    );
  }, [shown, filter, errorsOnly]);

  useEffect(() => {
    if (follow.current && !paused) bottom.current?.scrollIntoView({ block: 'end' });
  }, [visible, paused]);

  const waiting = paused ? lines.length - shown.length : 0;
  return (
    <Card
      title={`${visible.length} line${visible.length === 1 ? '' : 's'}${filter || errorsOnly ? ' shown' : ''}`}
      testId="log-tail"
      actions={
        <span className={`text-xs ${MUTED}`} data-testid="tail-state" data-state={state}>
          {state === 'live' ? '● live' : state}
          {behind && ' · catching up'}
        </span>
      }
    >
      <div className="flex flex-wrap items-center gap-3 border-b border-slate-200 px-4 py-2 text-sm dark:border-slate-800">
        <label className="flex min-w-48 flex-1 items-center gap-2">
          Filter
          <input
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            placeholder="shows lines containing this"
            className="min-w-0 flex-1 rounded border border-slate-300 bg-white px-2 py-1 font-mono text-sm dark:border-slate-600 dark:bg-slate-900"
            data-testid="tail-filter"
          />
        </label>
        <label className="flex items-center gap-1">
          <input type="checkbox" checked={errorsOnly} onChange={(e) => setErrorsOnly(e.target.checked)} /> errors only
        </label>
        <label className="flex items-center gap-1">
          <input type="checkbox" defaultChecked onChange={(e) => (follow.current = e.target.checked)} /> follow
        </label>
        <button
          type="button"
          onClick={() => setPausedAt((at) => (at === null ? (lines.at(-1)?.id ?? '') : null))}
          aria-pressed={paused}
          className="rounded border border-slate-300 px-2 py-0.5 dark:border-slate-600"
          data-testid="tail-pause"
        >
          {paused ? `Resume${waiting ? ` (${waiting} new)` : ''}` : 'Pause'}
        </button>
      </div>
      <div className="max-h-[70vh] overflow-y-auto" data-testid="tail-lines">
        {visible.length === 0 ? (
          <p className={`px-4 py-3 text-sm ${MUTED}`}>
            No line yet{filter ? ' matches the filter' : ''}: new lines appear here as they are written.
          </p>
        ) : (
          <LogLines lines={visible} env={env} role={role} />
        )}
        <div ref={bottom} />
      </div>
    </Card>
  );
}
