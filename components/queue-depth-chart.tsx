'use client';
/**
 * One queue's jobs waiting over time (CloudWatch, as the worker publishes it per queue), drawn
 * by the charts' uPlot, which loads when the chart mounts.
 */
import { lazy, Suspense } from 'react';
import type { EnvironmentMetrics } from '@/model/schemas/cloudwatch';
import { CHART_HEIGHT, type ChartSeries } from './chart-series';
import { PartProblem, type PartValue } from './live/part-problem';
import { Card, Empty } from './ui';

const TimeSeriesChart = lazy(() => import('./time-series-chart'));
const SERIES: ChartSeries[] = [{ id: 'queue_depth', label: 'waiting', color: '#0284c7' }];

export function QueueDepthChart({
  env,
  queue,
  depth,
}: {
  env: string;
  queue: string;
  depth: PartValue<EnvironmentMetrics>;
}) {
  const hours = depth.value ? Math.round(depth.value.rangeMinutes / 60) : null;
  const hasPoints = depth.value?.series[0]?.values.some((v) => v !== null) ?? false;
  return (
    <Card title={`Jobs waiting over time${hours ? `, last ${hours} h` : ''}`} testId="panel-queue-depth">
      <PartProblem name="CloudWatch" part={depth} />
      {depth.value && hasPoints ? (
        <div className="px-3 py-2">
          <Suspense fallback={<div style={{ height: CHART_HEIGHT }} data-testid="chart" aria-busy="true" />}>
            <TimeSeriesChart metrics={depth.value} series={SERIES} title={`${env} ${queue} jobs waiting`} />
          </Suspense>
        </div>
      ) : (
        !depth.error && (
          <Empty>No depth published for this queue in the range (the worker publishes it every minute).</Empty>
        )
      )}
    </Card>
  );
}
