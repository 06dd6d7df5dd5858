import type { Metadata } from 'next';
import { connection } from 'next/server';
import { Suspense } from 'react';
import { z } from 'zod';
import { LiveEnvironment } from '@/components/live/live-environment';
import { LiveStatus } from '@/components/live/live-status';
import { QueueDepthChart } from '@/components/queue-depth-chart';
import { FailedJobsPanel, FailureGroupsPanel, QueueCountsPanel } from '@/components/queue-view';
import { Card, Loading, Breadcrumbs, PageHeader } from '@/components/ui';
import type { Environment } from '@/lib/environments';
import { DEFAULT_RANGE, RANGES } from '@/model/ranges';
import { operatorTarget, viewableEnvironment, queueOr404, readOnce } from '@/lib/environment-page';
import { groupFailedJobs, listFailedJobs } from '@/lib/queue';
import { getEnvironmentSnapshotForPage, getQueueDepth } from '@/lib/snapshot';

export const maxDuration = 30;
const PAGE_SIZE = 20;
/** ?page=N, from 1; anything else is the first page. */
const PageParam = z.coerce.number().int().min(1).max(10_000).catch(1);

export async function generateMetadata({ params }: PageProps<'/environments/[env]/queues/[queue]'>): Promise<Metadata> {
  const { env, queue } = await params;
  return { title: `${queue} queue · ${env} · Pilothouse` };
}

export default async function QueuePage({ params, searchParams }: PageProps<'/environments/[env]/queues/[queue]'>) {
  await connection();
  const { env, queue: queueName } = await params;
  const environment = await viewableEnvironment(env);
  const queue = queueOr404(environment, queueName);
  const page = PageParam.parse((await searchParams).page);
  const [snapshot, failed, groups] = await Promise.all([
    getEnvironmentSnapshotForPage(environment),
    readOnce(listFailedJobs(environment, queue, { offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE })),
    readOnce(groupFailedJobs(environment, queue)),
  ]);
  const basePath = `/environments/${encodeURIComponent(environment.name)}/queues/${encodeURIComponent(queue)}`;
  return (
    <LiveEnvironment initial={{ version: 0, at: new Date().toISOString(), snapshot }}>
      <div className="space-y-4">
        <Breadcrumbs environment={environment.name} current={`queue ${queue}`} />
        <PageHeader production={environment.production} title={queue} subtitle={`queue in ${environment.name}`}>
          <div className="ml-auto">
            <LiveStatus />
          </div>
        </PageHeader>
        <QueueCountsPanel queue={queue} operator={await operatorTarget(environment)} />
        {/* A GetMetricData of its own: streamed, so it never holds back the panels. */}
        <Suspense
          fallback={
            <Card title="Jobs waiting over time">
              <Loading label="the queue's depth" />
            </Card>
          }
        >
          <QueueDepth environment={environment} queue={queue} />
        </Suspense>
        <div className="grid gap-4 lg:grid-cols-2">
          <FailureGroupsPanel groups={groups} basePath={basePath} />
          <FailedJobsPanel failed={failed} page={page} pageSize={PAGE_SIZE} basePath={basePath} />
        </div>
      </div>
    </LiveEnvironment>
  );
}

/** The queue's jobs waiting over the default range, as the worker publishes it to CloudWatch. */
async function QueueDepth({ environment, queue }: { environment: Environment; queue: string }) {
  const depth = await getQueueDepth(environment, queue, RANGES[DEFAULT_RANGE]);
  return <QueueDepthChart env={environment.name} queue={queue} depth={depth} />;
}
