/**
 * Its own module: the environment page carries the strip, not the whole timeline view. A server
 * component: it has no behaviour of its own (hover is CSS), so it adds nothing to the page's JS.
 */
import type { TimelineMarker } from '@/model/timeline-markers';
import { MUTED, TextLink } from './ui';

/** The environment page's compact strip: the markers of the last hours on a line, and the way to the full timeline. */
export function TimelineStrip({
  env,
  markers,
  from,
  to,
}: {
  env: string;
  markers: TimelineMarker[];
  from: number;
  to: number;
}) {
  const TONE: Record<TimelineMarker['tone'], string> = {
    good: '#16a34a',
    bad: '#dc2626',
    info: '#0284c7',
    warn: '#d97706',
    neutral: '#64748b',
  };
  // Rows by time: markers within 1.5% of the range of each other would overlap on a laptop screen.
  const gap = (to - from) * 0.015;
  const lastAt: number[] = [];
  const placed = markers.map((marker) => {
    let row = lastAt.findIndex((at) => marker.at - at >= gap);
    if (row === -1) row = lastAt.length;
    lastAt[row] = marker.at;
    return { marker, row };
  });
  return (
    <section
      aria-label="Timeline"
      data-testid="timeline-strip"
      className="rounded-lg border border-slate-200 bg-white px-4 py-2 shadow-sm dark:border-slate-800 dark:bg-slate-900"
    >
      <div className={`flex items-center gap-3 text-xs ${MUTED}`}>
        <span className="font-medium tracking-wide uppercase">
          Timeline, last {Math.round((to - from) / 3_600_000)} h
        </span>
        <span>
          {markers.length} event{markers.length === 1 ? '' : 's'}
        </span>
        <TextLink href={`/environments/${encodeURIComponent(env)}/timeline`} className="ml-auto font-medium">
          Open the timeline →
        </TextLink>
      </div>
      <div
        className="relative mt-1"
        style={{ height: 10 + 16 * Math.max(1, ...placed.map((p) => p.row + 1)) }}
        role="list"
        aria-label="Events of the last hours"
      >
        <div className="absolute inset-x-0 top-3 h-px bg-slate-200 dark:bg-slate-700" />
        {placed.map(({ marker: m, row }) => (
          <span
            key={m.id}
            role="listitem"
            className="group absolute"
            style={{ left: `calc(${((m.at - from) / (to - from)) * 100}% - 6px)`, top: 4 + row * 16 }}
          >
            <a
              href={m.href ?? undefined}
              data-marker={m.kind}
              aria-label={`${m.title}, ${new Date(m.at).toISOString().slice(11, 16)} UTC`}
              className="block h-3 w-3 rotate-45 rounded-sm border-2 border-white dark:border-slate-900"
              style={{ backgroundColor: TONE[m.tone] }}
            />
            <span
              role="tooltip"
              className={`pointer-events-none absolute top-4 z-20 hidden w-60 rounded bg-slate-900 px-2 py-1 text-xs text-white shadow-lg group-focus-within:block group-hover:block dark:bg-slate-100 dark:text-slate-900 ${m.at - from > (to - from) / 2 ? 'right-0' : 'left-0'}`}
            >
              <span className="block font-medium">{m.title}</span>
              {m.detail && <span className="block opacity-80">{m.detail}</span>}
            </span>
          </span>
        ))}
      </div>
    </section>
  );
}
