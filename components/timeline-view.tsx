'use client';
/** The environment timeline: its rows and markers (timeline-charts.tsx, lazy), the markers as a list, and the compact strip. */
import { lazy, Suspense } from 'react';
import type { EnvironmentMetrics } from '@/model/schemas/cloudwatch';
import type { MarkerKind, TimelineMarker } from '@/model/timeline-markers';
import { PartProblem, type PartValue } from './live/part-problem';
import { RelativeTime } from './time';
import { Badge, Card, Empty, Table, td, type Tone, TableHead } from './ui';
import type { Row } from './timeline-charts';

const TimelineCharts = lazy(() => import('./timeline-charts'));

/** Constant, so the charts are not rebuilt by a render. */
const ROWS: Row[] = [
  {
    title: 'Queue: jobs waiting, oldest wait',
    units: ['jobs', 's'],
    series: [
      { id: 'queue_backlog', label: 'jobs waiting', color: '#0284c7' },
      { id: 'queue_oldest_age', label: 'oldest wait (s)', color: '#d97706', scale: 'y2' },
    ],
  },
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
  {
    title: 'Targets: healthy and unhealthy',
    units: ['targets'],
    series: [
      { id: 'healthy_hosts', label: 'healthy', color: '#16a34a' },
      { id: 'unhealthy_hosts', label: 'unhealthy', color: '#dc2626' },
    ],
  },
  {
    title: '5xx and latency',
    units: ['5xx', 'ms'],
    series: [
      { id: 'target_5xx', label: '5xx', color: '#dc2626' },
      { id: 'latency_p50', label: 'p50 (ms)', color: '#059669', scale: 'y2' },
      { id: 'latency_p99', label: 'p99 (ms)', color: '#7c3aed', scale: 'y2' },
    ],
  },
];

export const MARKER_LABEL: Record<MarkerKind, string> = {
  deploy: 'deploy',
  'ecs-deployment': 'ECS deployment',
  rollback: 'rollback',
  scaling: 'scaling',
  action: 'operator action',
  status: 'status',
};
const MARKER_TONE: Record<TimelineMarker['tone'], Tone> = {
  good: 'good',
  bad: 'bad',
  info: 'info',
  warn: 'warn',
  neutral: 'neutral',
};

export function TimelineView({
  metrics,
  markers,
  from,
  to,
}: {
  metrics: PartValue<EnvironmentMetrics>;
  markers: TimelineMarker[];
  from: number;
  to: number;
}) {
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
            <TableHead columns={['When', 'What', 'Detail']} />
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {[...markers].reverse().map((m) => (
                <tr key={m.id} data-marker-row={m.kind} data-marker-id={m.id} data-at={m.at}>
                  <td className={`${td} whitespace-nowrap`}>
                    <RelativeTime iso={new Date(m.at).toISOString()} />
                  </td>
                  <td className={td}>
                    <Badge tone={MARKER_TONE[m.tone]}>{MARKER_LABEL[m.kind]}</Badge>{' '}
                    {m.href ? (
                      <a href={m.href} className="underline-offset-2 hover:underline">
                        {m.title}
                      </a>
                    ) : (
                      m.title
                    )}
                  </td>
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
