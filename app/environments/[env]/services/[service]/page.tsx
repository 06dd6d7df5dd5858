import type { Metadata } from 'next';
import { connection } from 'next/server';
import { Suspense } from 'react';
import { DiagnosisPanel } from '@/components/diagnosis-panel';
import { HistoryPanel } from '@/components/history-panel';
import { MetricsPanel } from '@/components/metrics-panel';
import { LiveEnvironment } from '@/components/live/live-environment';
import { LiveStatus } from '@/components/live/live-status';
import { RevisionsPanel, ServiceSummaryPanel, StoppedTasksPanel, TasksPanel } from '@/components/service-view';
import { Card, Loading, Breadcrumbs, MUTED, PageHeader, TextLink } from '@/components/ui';
import { operatorTarget, viewableEnvironment, serviceOr404, RangeParam } from '@/lib/environment-page';
import type { Environment } from '@/lib/environments';
import type { ServiceRole } from '@/contracts/platform';
import { logsHref } from '@/model/log-links';
import { DEFAULT_RANGE, RANGES, type RangeName } from '@/model/ranges';
import type { EnvironmentSnapshot } from '@/model/schemas/snapshot';
import { getServiceDetail } from '@/lib/service-detail';
import { getEnvironmentSnapshotForPage, getMetrics } from '@/lib/snapshot';

export const maxDuration = 30;

export async function generateMetadata({
  params,
}: PageProps<'/environments/[env]/services/[service]'>): Promise<Metadata> {
  const { env, service } = await params;
  return { title: `${service} · ${env} · Pilothouse` };
}

export default async function ServicePage({
  params,
  searchParams,
}: PageProps<'/environments/[env]/services/[service]'>) {
  await connection();
  const { env, service } = await params;
  const environment = await viewableEnvironment(env);
  const role = serviceOr404(service);
  const operator = await operatorTarget(environment);
  const given = await searchParams;
  const range = RangeParam.parse(given.range);
  // From the diagnosis panel: the revision its rollback offer names, preselected (nothing happens until confirmed).
  const rollbackTo =
    typeof given.rollback === 'string' && /^\d{1,6}$/.test(given.rollback) ? Number(given.rollback) : undefined;
  const snapshot = await getEnvironmentSnapshotForPage(environment);
  const family =
    snapshot.ecs.value?.services.find((s) => s.role === role)?.taskDefinition?.family ??
    `${environment.ecs.cluster}-${role}`;
  const detail = await getServiceDetail(environment, role, family);
  const basePath = `/environments/${encodeURIComponent(environment.name)}/services/${role}`;
  return (
    <LiveEnvironment initial={{ version: 0, at: new Date().toISOString(), snapshot }}>
      <div className="space-y-4">
        <Breadcrumbs environment={environment.name} current={role} />
        <PageHeader production={environment.production} title={role} subtitle={`in ${environment.name}`}>
          <span className={`font-mono text-xs ${MUTED}`}>
            {environment.ecs.cluster}/{environment.ecs.services[role]}
          </span>
          <TextLink href={logsHref(environment.name, role)} className="text-sm" data-testid="service-logs-link">
            Logs
          </TextLink>
          <div className="ml-auto">
            <LiveStatus />
          </div>
        </PageHeader>
        <DiagnosisPanel env={environment.name} operator={operator !== null} />
        <div className="grid gap-4 lg:grid-cols-2">
          <div className="min-w-0 lg:col-span-2">
            <ServiceSummaryPanel
              env={environment.name}
              role={role}
              operator={operator}
              stoppedTasks={detail.stoppedTasks.value ?? []}
            />
          </div>
          <TasksPanel env={environment.name} role={role} tasks={detail.tasks} />
          <RevisionsPanel revisions={detail.revisions} role={role} operator={operator} initialRevision={rollbackTo} />
          <div className="min-w-0 lg:col-span-2">
            <StoppedTasksPanel env={environment.name} role={role} stopped={detail.stoppedTasks} />
          </div>
          <div className="min-w-0 lg:col-span-2">
            <HistoryPanel env={environment.name} role={role} />
          </div>
          <div className="min-w-0 lg:col-span-2">
            <Suspense
              fallback={
                <Card title="Metrics">
                  <Loading label="metrics" />
                </Card>
              }
            >
              <ServiceMetrics
                environment={environment}
                role={role}
                range={range}
                snapshotMetrics={snapshot.metrics}
                basePath={basePath}
              />
            </Suspense>
          </div>
        </div>
      </div>
    </LiveEnvironment>
  );
}

async function ServiceMetrics({
  environment,
  role,
  range,
  snapshotMetrics,
  basePath,
}: {
  environment: Environment;
  role: ServiceRole;
  range: RangeName;
  snapshotMetrics: EnvironmentSnapshot['metrics'];
  basePath: string;
}) {
  const metrics = range === DEFAULT_RANGE ? snapshotMetrics : await getMetrics(environment, RANGES[range]);
  return <MetricsPanel env={environment.name} range={range} initial={metrics} service={role} basePath={basePath} />;
}
