'use client';
/**
 * The timeline's rows drawn with uPlot on one time axis: the crosshair moves in every row at
 * once, dragging across any row zooms all of them, and every marker is a line through every
 * row and a point on the lane above them (hover or focus says what it is; a click opens it).
 * Loaded lazily, with uPlot, after the page.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { EnvironmentMetrics, SeriesId } from '@/model/schemas/cloudwatch';
import type { MarkerTone, TimelineMarker } from '@/model/timeline-markers';
import { MUTED } from './ui';

export const ROW_HEIGHT = 110;
const TONE: Record<MarkerTone, string> = {
  good: '#16a34a',
  bad: '#dc2626',
  info: '#0284c7',
  warn: '#d97706',
  neutral: '#64748b',
};

type RowSeries = { id: SeriesId; label: string; color: string; dash?: number[]; scale?: 'y' | 'y2' };
export type Row = { title: string; units: [string, string?]; series: RowSeries[] };

function align(metrics: EnvironmentMetrics, ids: SeriesId[]): uPlot.AlignedData {
  const byId = new Map(metrics.series.map((s) => [s.id, s.values]));
  const length = Math.max(0, ...ids.map((id) => byId.get(id)?.length ?? 0));
  const times = Array.from({ length }, (_, i) => metrics.start + i * metrics.periodSeconds);
  return [times, ...ids.map((id) => times.map((_, i) => byId.get(id)?.[i] ?? null))] as uPlot.AlignedData;
}

/** Markers closer than this (px) go on the next row of the lane, so none hides another. */
const MARKER_GAP = 16;

/** Puts each marker on the first lane row where it does not touch the one before it. */
export function stack<T extends { x: number }>(items: T[]): (T & { row: number })[] {
  const lastX: number[] = [];
  return [...items]
    .sort((a, b) => a.x - b.x)
    .map((item) => {
      let row = lastX.findIndex((x) => item.x - x >= MARKER_GAP);
      if (row === -1) row = lastX.length;
      lastX[row] = item.x;
      return { ...item, row };
    });
}
const laneRows = (placed: { row: number }[]) => Math.max(1, ...placed.map((p) => p.row + 1));

const timeLabel = (ms: number) =>
  new Date(ms).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

export default function TimelineCharts({
  metrics,
  markers,
  from,
  to,
  rows,
}: {
  metrics: EnvironmentMetrics;
  markers: TimelineMarker[];
  from: number;
  to: number;
  rows: Row[];
}) {
  const containers = useRef<(HTMLDivElement | null)[]>([]);
  const charts = useRef<uPlot[]>([]);
  const [zoom, setZoom] = useState<[number, number] | null>(null);
  // Where each marker sits on the lane, in pixels from the lane's left edge (null until uPlot has drawn).
  const [positions, setPositions] = useState<{ left: number; width: number; at: (t: number) => number } | null>(null);
  const markerTimes = useMemo(() => markers.map((m) => ({ at: m.at / 1000, color: TONE[m.tone] })), [markers]);
  const data = useMemo(
    () =>
      rows.map((row) =>
        align(
          metrics,
          row.series.map((s) => s.id),
        ),
      ),
    [metrics, rows],
  );

  useEffect(() => {
    let cancelled = false;
    const observers: ResizeObserver[] = [];
    void import('uplot').then(({ default: UPlot }) => {
      if (cancelled) return;
      const measure = () => {
        const first = charts.current[0];
        if (!first) return;
        const plotLeft = first.over.offsetLeft;
        setPositions({ left: plotLeft, width: first.over.clientWidth, at: (t) => plotLeft + first.valToPos(t, 'x') });
      };
      // Every marker as a vertical line through the plot.
      const markerLines: uPlot.Plugin = {
        hooks: {
          draw: (u) => {
            const { ctx, bbox } = u;
            ctx.save();
            for (const m of markerTimes) {
              if (m.at < (u.scales.x.min ?? -Infinity) || m.at > (u.scales.x.max ?? Infinity)) continue;
              const x = Math.round(u.valToPos(m.at, 'x', true));
              ctx.strokeStyle = m.color;
              ctx.globalAlpha = 0.55;
              ctx.lineWidth = 1 * devicePixelRatio;
              ctx.beginPath();
              ctx.moveTo(x, bbox.top);
              ctx.lineTo(x, bbox.top + bbox.height);
              ctx.stroke();
            }
            ctx.restore();
          },
        },
      };
      rows.forEach((row, i) => {
        const element = containers.current[i];
        if (!element) return;
        const ink = getComputedStyle(element).color;
        const grid = { stroke: 'rgba(148, 163, 184, 0.25)', width: 1 };
        const axes: uPlot.Axis[] = [
          { stroke: ink, grid, ticks: grid, space: 90, show: i === rows.length - 1 },
          { stroke: ink, grid, ticks: grid, size: 52, label: row.units[0], labelSize: 14 },
        ];
        // Every row keeps the same right-hand axis space, so one time is at one x in every row.
        axes.push(
          row.units[1]
            ? {
                stroke: ink,
                grid: { show: false },
                ticks: grid,
                size: 52,
                side: 1,
                scale: 'y2',
                label: row.units[1],
                labelSize: 14,
              }
            : {
                stroke: ink,
                grid: { show: false },
                ticks: { show: false },
                size: 52,
                side: 1,
                scale: 'y2',
                values: () => [],
                label: '',
                labelSize: 14,
              },
        );
        const chart: uPlot = new UPlot(
          {
            width: element.clientWidth,
            height: ROW_HEIGHT + (i === rows.length - 1 ? 30 : 0),
            cursor: { drag: { x: true, y: false }, sync: { key: 'timeline' } },
            // A row without a right-hand series still gets a y2 scale, so uPlot lays out its (empty) axis.
            scales: {
              x: { time: true, min: from / 1000, max: to / 1000 },
              y2: row.units[1] ? { auto: true } : { auto: false, range: [0, 1] },
            },
            legend: { show: true },
            axes,
            series: [
              {},
              ...row.series.map((s) => ({
                label: s.label,
                stroke: s.color,
                width: 1.5,
                dash: s.dash,
                spanGaps: true,
                scale: s.scale ?? 'y',
              })),
            ],
            plugins: [markerLines],
            hooks: {
              // A drag zooms every row to the selection, and the lane with them.
              setSelect: [
                (u) => {
                  if (u.select.width < 4) return;
                  const min = u.posToVal(u.select.left, 'x');
                  const max = u.posToVal(u.select.left + u.select.width, 'x');
                  u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
                  setZoom([min, max]);
                },
              ],
              setScale: [(u, key) => key === 'x' && u === charts.current[0] && measure()],
            },
          },
          data[i],
          element,
        );
        charts.current[i] = chart;
        const observer = new ResizeObserver(() => {
          chart.setSize({ width: element.clientWidth, height: ROW_HEIGHT + (i === rows.length - 1 ? 30 : 0) });
          if (i === 0) measure();
        });
        observer.observe(element);
        observers.push(observer);
      });
      measure();
    });
    return () => {
      cancelled = true;
      observers.forEach((o) => o.disconnect());
      charts.current.forEach((c) => c.destroy());
      charts.current = [];
    };
  }, [rows, data, markerTimes, from, to]);

  useEffect(() => {
    const [min, max] = zoom ?? [from / 1000, to / 1000];
    for (const chart of charts.current) chart.setScale('x', { min, max });
  }, [zoom, from, to]);

  const [min, max] = zoom ?? [from / 1000, to / 1000];
  const placed = positions
    ? stack(
        markers
          .filter((m) => m.at / 1000 >= min && m.at / 1000 <= max)
          .map((m) => ({ marker: m, x: positions.at(m.at / 1000) })),
      )
    : [];
  return (
    <div className="space-y-1">
      <div className={`flex items-center gap-2 px-1 text-xs ${MUTED}`}>
        <span>Drag across a row to zoom in.</span>
        {zoom && (
          <button
            type="button"
            onClick={() => setZoom(null)}
            className="rounded border border-slate-300 px-2 py-0.5 font-medium text-slate-800 hover:bg-slate-100 dark:border-slate-600 dark:text-slate-200 dark:hover:bg-slate-800"
            data-testid="zoom-reset"
          >
            Show the whole range ({timeLabel(min * 1000)} – {timeLabel(max * 1000)} shown)
          </button>
        )}
      </div>
      <div
        className="relative border-b border-slate-200 dark:border-slate-800"
        style={{ height: 8 + 18 * laneRows(placed) }}
        data-testid="marker-lane"
        aria-label="Markers"
        role="list"
      >
        {placed.map(({ marker: m, x, row }) => (
          <span key={m.id} role="listitem" className="group absolute" style={{ left: x - 7, top: 4 + row * 18 }}>
            <a
              href={m.href ?? undefined}
              data-marker={m.kind}
              data-marker-id={m.id}
              data-at={m.at}
              aria-label={`${m.title}, ${timeLabel(m.at)}`}
              className="block h-3.5 w-3.5 rotate-45 rounded-sm border-2 border-white shadow focus-visible:outline-2 focus-visible:outline-sky-600 dark:border-slate-900"
              style={{ backgroundColor: TONE[m.tone] }}
            />
            <span
              role="tooltip"
              className={`pointer-events-none absolute top-5 z-20 hidden w-64 rounded bg-slate-900 px-2 py-1.5 text-xs text-white shadow-lg group-focus-within:block group-hover:block dark:bg-slate-100 dark:text-slate-900 ${x > (positions?.width ?? 0) / 2 ? 'right-0' : 'left-0'}`}
            >
              <span className="block font-medium">{m.title}</span>
              {m.detail && <span className="block opacity-80">{m.detail}</span>}
              <span className="block opacity-70">{timeLabel(m.at)}</span>
            </span>
          </span>
        ))}
      </div>
      {rows.map((row, i) => (
        <div key={row.title} className="min-w-0">
          <h3 className={`px-1 text-xs font-medium tracking-wide uppercase ${MUTED}`}>{row.title}</h3>
          <div
            ref={(el) => void (containers.current[i] = el)}
            role="img"
            aria-label={`${row.title} over the timeline`}
            className="text-slate-700 dark:text-slate-300"
            data-testid="timeline-row"
          />
        </div>
      ))}
    </div>
  );
}
