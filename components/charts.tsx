'use client';
/**
 * The environment's charts, drawn with uPlot (canvas; loaded only when a chart mounts, so it
 * is not in any page's first load). The legend under each chart shows the values at the
 * crosshair. Charts follow the live snapshot when the range is the snapshot's own.
 */
import { lazy, Suspense, useMemo } from 'react';
import { DEFAULT_RANGE, type RangeName } from '@/model/ranges';
import type { EnvironmentSnapshot } from '@/model/schemas/snapshot';
import { useSnapshotPart } from './live/live-environment';
import { PartProblem } from './live/part-problem';
import { CHART_HEIGHT, type ChartSeries } from './chart-series';
import { Card, Loading, MUTED, RangeLinks } from './ui';

// The drawing code and uPlot load after the page, with the chart's space kept while they do.
const TimeSeriesChart = lazy(() => import('./time-series-chart'));

/** Each service's line in the same colour on every chart. */
const SERVICE_COLOURS = { api: '#0284c7', worker: '#d97706' } as const;
const perService = (metric: 'cpu' | 'memory'): ChartSeries[] =>
  (['api', 'worker'] as const).map((role) => ({ id: `${role}_${metric}`, label: role, color: SERVICE_COLOURS[role] }));

const CHARTS: { title: string; unit: string; series: ChartSeries[] }[] = [
  { title: 'CPU', unit: '%', series: perService('cpu') },
  { title: 'Memory', unit: '%', series: perService('memory') },
  {
    title: 'Requests and 5xx',
    unit: '/period',
    series: [
      { id: 'requests', label: 'requests', color: SERVICE_COLOURS.api },
      { id: 'target_5xx', label: '5xx', color: '#e11d48' },
    ],
  },
  {
    title: 'Latency',
    unit: 's',
    series: [
      { id: 'latency_p50', label: 'p50', color: '#059669' },
      { id: 'latency_p99', label: 'p99', color: '#7c3aed' },
    ],
  },
];

/** For one service's page: only its series (the ALB's charts belong to the api). */
function chartsFor(service?: 'api' | 'worker') {
  if (!service) return CHARTS;
  return CHARTS.map((chart) => ({
    ...chart,
    series: chart.series.filter((s) => s.label === service || !['api', 'worker'].includes(s.label)),
  })).filter(
    (chart) => chart.series.length > 0 && (service === 'api' || chart.series.every((s) => s.label === service)),
  );
}

export function MetricsPanel({
  env,
  range,
  initial,
  service,
  basePath,
}: {
  env: string;
  range: RangeName;
  initial: EnvironmentSnapshot['metrics'];
  service?: 'api' | 'worker';
  basePath: string;
}) {
  const live = useSnapshotPart('metrics');
  const charts = useMemo(() => chartsFor(service), [service]); // stable: a new series list redraws the chart
  // The snapshot carries the default range and follows it live; other ranges come with the page.
  const metrics = range === DEFAULT_RANGE ? live : initial;
  return (
    <Card
      title="Metrics"
      testId="panel-metrics"
      actions={
        <RangeLinks label="Chart range" current={range} href={(name) => `${basePath}?range=${name}`} scroll={false} />
      }
    >
      <PartProblem name="CloudWatch" part={metrics} />
      {metrics.value ? (
        <div className="grid gap-px bg-slate-100 md:grid-cols-2 dark:bg-slate-800">
          {charts.map((chart) => (
            <div key={chart.title} className="min-w-0 bg-white px-3 py-2 dark:bg-slate-900">
              <h3 className={`text-xs font-medium tracking-wide uppercase ${MUTED}`}>
                {chart.title}{' '}
                <span className="normal-case">
                  ({metrics.value!.series.find((s) => s.id === chart.series[0].id)?.unit ?? chart.unit})
                </span>
              </h3>
              <Suspense fallback={<div style={{ height: CHART_HEIGHT }} data-testid="chart" aria-busy="true" />}>
                <TimeSeriesChart metrics={metrics.value!} series={chart.series} title={`${env} ${chart.title}`} />
              </Suspense>
            </div>
          ))}
        </div>
      ) : (
        !metrics.error && <Loading label="CloudWatch metrics" />
      )}
    </Card>
  );
}
