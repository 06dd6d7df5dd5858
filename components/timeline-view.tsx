'use client';
/** The environment timeline: its rows and markers (timeline-charts.tsx, lazy), the markers as a list, and the compact strip. */
import Link from 'next/link';
import { lazy, Suspense } from 'react';
import type { EnvironmentMetrics } from '@/lib/schemas/cloudwatch';
import type { MarkerKind, TimelineMarker } from '@/lib/timeline-markers';
import { PartProblem, type PartValue } from './live/part-problem';
import { RelativeTime } from './time';
import { Badge, Card, Empty, Table, td, th, type Tone } from './ui';
import type { Row } from './timeline-charts';

const TimelineCharts = lazy(() => import('./timeline-charts'));

/** Constant, so the charts are not rebuilt by a render. */
const ROWS: Row[] = [
  { title: 'Queue: jobs waiting, oldest wait', units: ['jobs', 's'], series: [{ id: 'queue_backlog', label: 'jobs waiting', color: '#0284c7' }, { id: 'queue_oldest_age', label: 'oldest wait (s)', color: '#d97706', scale: 'y2' }] },
  {
    title: 'Tasks: running and desired',
    units: ['tasks'],
    series: [
      { id: 'api_running', label: 'api running', color: '#0284c7' },
      { id: 'api_desired', label: 'api desired', color: '#0284c7', dash: [4, 4] },
      { id: 'worker_running', label: 'worker running', color: '#d97706' },
      { id: 'worker_desired', label: 'worker desired', color: '#d97706', dash: [4, 4] },
    ],
  },
  { title: 'Targets: healthy and unhealthy', units: ['targets'], series: [{ id: 'healthy_hosts', label: 'healthy', color: '#16a34a' }, { id: 'unhealthy_hosts', label: 'unhealthy', color: '#dc2626' }] },
  { title: '5xx and latency', units: ['5xx', 'ms'], series: [{ id: 'target_5xx', label: '5xx', color: '#dc2626' }, { id: 'latency_p50', label: 'p50 (ms)', color: '#059669', scale: 'y2' }, { id: 'latency_p99', label: 'p99 (ms)', color: '#7c3aed', scale: 'y2' }] },
];

export const MARKER_LABEL: Record<MarkerKind, string> = { deploy: 'deploy', 'ecs-deployment': 'ECS deployment', rollback: 'rollback', scaling: 'scaling', action: 'operator action', status: 'status' };
const MARKER_TONE: Record<TimelineMarker['tone'], Tone> = { good: 'good', bad: 'bad', info: 'info', warn: 'warn', neutral: 'neutral' };

export function TimelineView({ metrics, markers, from, to }: { metrics: PartValue<EnvironmentMetrics>; markers: TimelineMarker[]; from: number; to: number }) {
  return (
    <>
      <Card title="On one time axis" testId="panel-timeline">
        <PartProblem name="CloudWatch" part={metrics} />
        <div className="px-3 py-2">
          {metrics.value ? (
            <Suspense fallback={<div style={{ height: 4 * 110 + 60 }} aria-busy="true" />}>
              <TimelineCharts metrics={metrics.value} markers={markers} from={from} to={to} rows={ROWS} />
            </Suspense>
          ) : (
            !metrics.error && <Empty>No data yet.</Empty>
          )}
        </div>
      </Card>
      <Card title={`What happened (${markers.length})`} testId="panel-markers">
        {markers.length === 0 ? (
          <Empty>Nothing happened in this range.</Empty>
        ) : (
          <Table caption="What happened, newest first">
            <thead><tr><th scope="col" className={th}>When</th><th scope="col" className={th}>What</th><th scope="col" className={th}>Detail</th></tr></thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {[...markers].reverse().map((m) => (
                <tr key={m.id} data-marker-row={m.kind} data-marker-id={m.id} data-at={m.at}>
                  <td className={`${td} whitespace-nowrap`}><RelativeTime iso={new Date(m.at).toISOString()} /></td>
                  <td className={td}><Badge tone={MARKER_TONE[m.tone]}>{MARKER_LABEL[m.kind]}</Badge> {m.href ? <a href={m.href} className="underline-offset-2 hover:underline">{m.title}</a> : m.title}</td>
                  <td className={`${td} text-xs text-slate-600 dark:text-slate-400`}>{m.detail ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
    </>
  );
}

/** The environment page's compact strip: the markers of the last hours on a line, and the way to the full timeline. */
export function TimelineStrip({ env, markers, from, to }: { env: string; markers: TimelineMarker[]; from: number; to: number }) {
  const TONE: Record<TimelineMarker['tone'], string> = { good: '#16a34a', bad: '#dc2626', info: '#0284c7', warn: '#d97706', neutral: '#64748b' };
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
    <section aria-label="Timeline" data-testid="timeline-strip" className="rounded-lg border border-slate-200 bg-white px-4 py-2 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <div className="flex items-center gap-3 text-xs text-slate-600 dark:text-slate-400">
        <span className="font-medium uppercase tracking-wide">Timeline, last {Math.round((to - from) / 3_600_000)} h</span>
        <span>{markers.length} event{markers.length === 1 ? '' : 's'}</span>
        <Link href={`/environments/${encodeURIComponent(env)}/timeline`} className="ml-auto font-medium text-sky-700 underline-offset-2 hover:underline dark:text-sky-300">Open the timeline →</Link>
      </div>
      <div className="relative mt-1" style={{ height: 10 + 16 * Math.max(1, ...placed.map((p) => p.row + 1)) }} role="list" aria-label="Events of the last hours">
        <div className="absolute inset-x-0 top-3 h-px bg-slate-200 dark:bg-slate-700" />
        {placed.map(({ marker: m, row }) => (
          <span key={m.id} role="listitem" className="group absolute" style={{ left: `calc(${((m.at - from) / (to - from)) * 100}% - 6px)`, top: 4 + row * 16 }}>
            <a href={m.href ?? undefined} data-marker={m.kind} aria-label={`${m.title}, ${new Date(m.at).toLocaleTimeString()}`} className="block h-3 w-3 rotate-45 rounded-sm border-2 border-white dark:border-slate-900" style={{ backgroundColor: TONE[m.tone] }} />
            <span role="tooltip" className={`pointer-events-none absolute top-4 z-20 hidden w-60 rounded bg-slate-900 px-2 py-1 text-xs text-white shadow-lg group-focus-within:block group-hover:block dark:bg-slate-100 dark:text-slate-900 ${m.at - from > (to - from) / 2 ? 'right-0' : 'left-0'}`}>
              <span className="block font-medium">{m.title}</span>
              {m.detail && <span className="block opacity-80">{m.detail}</span>}
            </span>
          </span>
        ))}
      </div>
    </section>
  );
}
