import type { Metadata } from 'next';
import { connection } from 'next/server';
import { Suspense } from 'react';
import {
  DeployRunsPanel,
  ImagesPanel,
  ParametersPanel,
  QueuesPanel,
  ServicesPanel,
  TargetsPanel,
} from '@/components/environment-view';
import { DiagnosisPanel } from '@/components/diagnosis-panel';
import { LiveEnvironment } from '@/components/live/live-environment';
import { SharedCacheNotice } from '@/components/live/part-problem';
import { LiveStatus } from '@/components/live/live-status';
import { EnvironmentStatusLine } from '@/components/status-badge';
import { MetricsPanel } from '@/components/metrics-panel';
import { Card, Loading, Breadcrumbs, MUTED, TextLink, PageHeader } from '@/components/ui';
import type { Environment } from '@/lib/environments';
import { DEFAULT_RANGE, RANGES, type RangeName } from '@/model/ranges';
import type { EnvironmentSnapshot } from '@/model/schemas/snapshot';
import { operatorTarget, readOnce, viewableEnvironment, RangeParam } from '@/lib/environment-page';
import { readAudit } from '@/lib/audit';
import { AuditTable } from '@/components/audit-table';
import { getEnvironmentSnapshot, getEnvironmentSnapshotForPage, getMetrics } from '@/lib/snapshot';
import { getMarkers } from '@/lib/timeline';
import { TimelineStrip } from '@/components/timeline-strip';

/** As the overview: every upstream call has its own timeout well inside this. */
export const maxDuration = 30;

export async function generateMetadata({ params }: PageProps<'/environments/[env]'>): Promise<Metadata> {
  return { title: `${(await params).env} · Pilothouse` };
}

export default async function EnvironmentPage({ params, searchParams }: PageProps<'/environments/[env]'>) {
  await connection();
  const environment = await viewableEnvironment((await params).env);
  const range = RangeParam.parse((await searchParams).range);
  const snapshot = await getEnvironmentSnapshotForPage(environment);
  const name = environment.name;
  const operator = await operatorTarget(environment);
  return (
    <LiveEnvironment initial={{ version: 0, at: new Date().toISOString(), snapshot }}>
      <div className="space-y-4">
        <Breadcrumbs current={name} />
        <PageHeader production={environment.production} title={name}>
          <span className={`text-sm ${MUTED}`}>
            {environment.aws.region} · cluster {environment.ecs.cluster}
          </span>
          <div className="ml-auto">
            <LiveStatus />
          </div>
        </PageHeader>
        <SharedCacheNotice />
        <EnvironmentStatusLine />
        <DiagnosisPanel env={name} operator={operator !== null} />
        <Suspense
          fallback={
            <div className="h-[62px] rounded-lg border border-slate-200 dark:border-slate-800" aria-busy="true" />
          }
        >
          <RecentTimeline environment={environment} />
        </Suspense>
        <div className="grid gap-4 lg:grid-cols-2">
          <ServicesPanel env={name} operator={operator} />
          <div className="min-w-0 space-y-4">
            <TargetsPanel />
            <QueuesPanel env={name} />
          </div>
          <div className="lg:col-span-2">
            {/* Another range is a GetMetricData of its own: streamed, so it never holds back the panels. */}
            <Suspense
              fallback={
                <Card title="Metrics">
                  <Loading label="metrics" />
                </Card>
              }
            >
              <Metrics environment={environment} range={range} snapshotMetrics={snapshot.metrics} />
            </Suspense>
          </div>
          <DeployRunsPanel env={name} />
          <ImagesPanel />
          <ParametersPanel />
          {/* One XREVRANGE on the control plane's own Redis: fast, so not a streamed part of its own. */}
          <LastActions environment={name} />
        </div>
      </div>
    </LiveEnvironment>
  );
}

async function Metrics({
  environment,
  range,
  snapshotMetrics,
}: {
  environment: Environment;
  range: RangeName;
  snapshotMetrics: EnvironmentSnapshot['metrics'];
}) {
  const metrics = range === DEFAULT_RANGE ? snapshotMetrics : await getMetrics(environment, RANGES[range]);
  return (
    <MetricsPanel
      env={environment.name}
      range={range}
      initial={metrics}
      basePath={`/environments/${encodeURIComponent(environment.name)}`}
    />
  );
}

/** The environment's last operator actions (from the audit), as of this page view. */
async function LastActions({ environment }: { environment: string }) {
  const read = await readOnce(readAudit({ environment }, 5, 500));
  return (
    <Card
      title="Last actions"
      testId="panel-last-actions"
      actions={
        <TextLink href={`/audit?environment=${encodeURIComponent(environment)}`} className="text-sm">
          Audit →
        </TextLink>
      }
    >
      {read.error ? (
        <p role="alert" className="px-4 py-3 text-sm text-rose-700 dark:text-rose-300">
          The audit could not be read: {read.error.message}
        </p>
      ) : (
        <AuditTable records={read.value ?? []} caption={`Last actions in ${environment}`} compact />
      )}
    </Card>
  );
}

/**
 * The compact timeline: the last hours' markers, from every part of the snapshot (cached; the
 * page may not have waited for the deploy runs and scaling it reads) and ECS's events. Streamed.
 */
async function RecentTimeline({ environment }: { environment: Environment }) {
  const to = new Date().getTime();
  const from = to - RANGES[DEFAULT_RANGE] * 60_000;
  const { markers } = await getMarkers(environment, await getEnvironmentSnapshot(environment), from, to, 500);
  return <TimelineStrip env={environment.name} markers={markers} from={from} to={to} />;
}
