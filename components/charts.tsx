'use client';
/**
 * The environment's charts, drawn with uPlot (canvas; loaded only when a chart mounts, so it
 * is not in any page's first load). The legend under each chart shows the values at the
 * crosshair. Charts follow the live snapshot when the range is the snapshot's own.
 */
import Link from 'next/link';
import { useEffect, useMemo, useRef } from 'react';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { DEFAULT_RANGE, RANGES, type RangeName } from '@/lib/ranges';
import type { EnvironmentMetrics, SeriesId } from '@/lib/schemas/cloudwatch';
import type { EnvironmentSnapshot } from '@/lib/schemas/snapshot';
import { useSnapshotPart } from './live/live-environment';
import { PartProblem } from './live/part-problem';
import { Card, Empty } from './ui';

const CHARTS: { title: string; unit: string; series: { id: SeriesId; label: string; color: string }[] }[] = [
  { title: 'CPU', unit: '%', series: [{ id: 'api_cpu', label: 'api', color: '#0284c7' }, { id: 'worker_cpu', label: 'worker', color: '#d97706' }] },
  { title: 'Memory', unit: '%', series: [{ id: 'api_memory', label: 'api', color: '#0284c7' }, { id: 'worker_memory', label: 'worker', color: '#d97706' }] },
  { title: 'Requests and 5xx', unit: '/period', series: [{ id: 'requests', label: 'requests', color: '#0284c7' }, { id: 'target_5xx', label: '5xx', color: '#e11d48' }] },
  { title: 'Latency', unit: 's', series: [{ id: 'latency_p50', label: 'p50', color: '#059669' }, { id: 'latency_p99', label: 'p99', color: '#7c3aed' }] },
];

/** For one service's page: only its series (the ALB's charts belong to the api). */
function chartsFor(service?: 'api' | 'worker') {
  if (!service) return CHARTS;
  return CHARTS.map((chart) => ({ ...chart, series: chart.series.filter((s) => s.label === service || !['api', 'worker'].includes(s.label)) }))
    .filter((chart) => chart.series.length > 0 && (service === 'api' || chart.series.every((s) => s.label === service)));
}

export function MetricsPanel({ env, range, initial, service, basePath }: { env: string; range: RangeName; initial: EnvironmentSnapshot['metrics']; service?: 'api' | 'worker'; basePath: string }) {
  const live = useSnapshotPart('metrics');
  const charts = useMemo(() => chartsFor(service), [service]); // stable: a new series list redraws the chart
  // The snapshot carries the default range and follows it live; other ranges come with the page.
  const metrics = range === DEFAULT_RANGE ? live : initial;
  return (
    <Card
      title="Metrics"
      testId="panel-metrics"
      actions={
        <nav aria-label="Chart range" className="flex gap-1 text-xs">
          {(Object.keys(RANGES) as RangeName[]).map((name) => (
            <Link
              key={name}
              href={`${basePath}?range=${name}`}
              scroll={false}
              aria-current={name === range ? 'page' : undefined}
              className="rounded px-2 py-0.5 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-sky-600 aria-[current=page]:bg-slate-800 aria-[current=page]:text-white dark:hover:bg-slate-800 dark:aria-[current=page]:bg-slate-200 dark:aria-[current=page]:text-slate-900"
            >
              {name}
            </Link>
          ))}
        </nav>
      }
    >
      <PartProblem name="CloudWatch" part={metrics} />
      {metrics.value ? (
        <div className="grid gap-px bg-slate-100 md:grid-cols-2 dark:bg-slate-800">
          {charts.map((chart) => (
            <div key={chart.title} className="min-w-0 bg-white px-3 py-2 dark:bg-slate-900">
              <h3 className="text-xs font-medium uppercase tracking-wide text-slate-600 dark:text-slate-400">
                {chart.title} <span className="normal-case">({metrics.value!.series.find((s) => s.id === chart.series[0].id)?.unit ?? chart.unit})</span>
              </h3>
              <TimeSeriesChart metrics={metrics.value!} series={chart.series} title={`${env} ${chart.title}`} />
            </div>
          ))}
        </div>
      ) : (
        !metrics.error && <Empty>No data yet.</Empty>
      )}
    </Card>
  );
}

/** Aligns series on one time axis (seconds), with null where a series has no point. */
function align(metrics: EnvironmentMetrics, ids: SeriesId[]): uPlot.AlignedData {
  const byId = new Map(metrics.series.map((s) => [s.id, new Map(s.points.map((p) => [Date.parse(p.t) / 1000, p.v]))]));
  const times = [...new Set(ids.flatMap((id) => [...(byId.get(id)?.keys() ?? [])]))].sort((a, b) => a - b);
  return [times, ...ids.map((id) => times.map((t) => byId.get(id)?.get(t) ?? null))] as uPlot.AlignedData;
}

function TimeSeriesChart({ metrics, series, title }: { metrics: EnvironmentMetrics; series: (typeof CHARTS)[number]['series']; title: string }) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  // The same metrics object (TanStack keeps it when a live update leaves it equal) keeps the same
  // data, so the chart is not redrawn, nor its crosshair reset, by every update of the page.
  const data = useMemo(() => align(metrics, series.map((s) => s.id)), [metrics, series]);
  // The newest data, for the chart created once uPlot has loaded (asynchronously).
  const latest = useRef<uPlot.AlignedData>([[]]);

  useEffect(() => {
    let cancelled = false;
    let resize: ResizeObserver | undefined;
    void import('uplot').then(({ default: UPlot }) => {
      const element = container.current;
      if (cancelled || !element) return;
      const ink = getComputedStyle(element).color;
      const grid = { stroke: 'rgba(148, 163, 184, 0.25)', width: 1 };
      chart.current = new UPlot(
        {
          width: element.clientWidth,
          height: 160,
          cursor: { drag: { x: true, y: false } },
          scales: { x: { time: true } },
          axes: [{ stroke: ink, grid, ticks: grid, space: 90 }, { stroke: ink, grid, ticks: grid, size: 48 }],
          series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, spanGaps: true }))],
        },
        latest.current,
        element,
      );
      resize = new ResizeObserver(() => chart.current?.setSize({ width: element.clientWidth, height: 160 }));
      resize.observe(element);
    });
    return () => {
      cancelled = true;
      resize?.disconnect();
      chart.current?.destroy();
      chart.current = null;
    };
  }, [series]);

  useEffect(() => {
    latest.current = data;
    chart.current?.setData(data);
  }, [data]);

  return <div ref={container} role="img" aria-label={`${title} chart`} className="text-slate-700 dark:text-slate-300" data-testid="chart" />;
}
