'use client';
/**
 * One time-series chart drawn with uPlot (canvas), its legend showing the values at the
 * crosshair. Loaded lazily by charts.tsx, and uPlot lazily again, so neither is in a first load.
 */
import { useEffect, useMemo, useRef } from 'react';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { EnvironmentMetrics, SeriesId } from '@/model/schemas/cloudwatch';
import { CHART_HEIGHT, type ChartSeries } from './chart-series';

/** uPlot's data: the shared time axis (seconds) and one column per series. */
function align(metrics: EnvironmentMetrics, ids: SeriesId[]): uPlot.AlignedData {
  const byId = new Map(metrics.series.map((s) => [s.id, s.values]));
  const length = Math.max(0, ...ids.map((id) => byId.get(id)?.length ?? 0));
  const times = Array.from({ length }, (_, i) => metrics.start + i * metrics.periodSeconds);
  return [times, ...ids.map((id) => times.map((_, i) => byId.get(id)?.[i] ?? null))] as uPlot.AlignedData;
}

export default function TimeSeriesChart({
  metrics,
  series,
  title,
}: {
  metrics: EnvironmentMetrics;
  series: readonly ChartSeries[];
  title: string;
}) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  // The same metrics object (TanStack keeps it when a live update leaves it equal) keeps the same
  // data, so the chart is not redrawn, nor its crosshair reset, by every update of the page.
  const data = useMemo(
    () =>
      align(
        metrics,
        series.map((s) => s.id),
      ),
    [metrics, series],
  );
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
          height: CHART_HEIGHT,
          cursor: { drag: { x: true, y: false } },
          scales: { x: { time: true } },
          axes: [
            { stroke: ink, grid, ticks: grid, space: 90 },
            { stroke: ink, grid, ticks: grid, size: 48 },
          ],
          series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, spanGaps: true }))],
        },
        latest.current,
        element,
      );
      resize = new ResizeObserver(() => chart.current?.setSize({ width: element.clientWidth, height: CHART_HEIGHT }));
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

  return (
    <div
      ref={container}
      role="img"
      aria-label={`${title} chart`}
      className="text-slate-700 dark:text-slate-300"
      data-testid="chart"
    />
  );
}
