'use client';
/**
 * The metrics panel loads after the page, with its charts' code (uPlot itself loads when a
 * chart mounts): the server renders it in full, and its part of the page hydrates once its code
 * has arrived, so the panels above it are interactive without waiting for the charts.
 */
import { lazy, Suspense, type ComponentProps } from 'react';
import type * as Charts from './charts';
import { Card } from './ui';

const MetricsPanelLazy = lazy(() => import('./charts').then((m) => ({ default: m.MetricsPanel })));

export function MetricsPanel(props: ComponentProps<typeof Charts.MetricsPanel>) {
  return (
    <Suspense
      fallback={
        <Card title="Metrics">
          <div className="h-40" aria-busy="true" />
        </Card>
      }
    >
      <MetricsPanelLazy {...props} />
    </Suspense>
  );
}
