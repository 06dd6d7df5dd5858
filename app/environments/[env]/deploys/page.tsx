import type { Metadata } from 'next';
import { connection } from 'next/server';
import { z } from 'zod';
import { EcsDeploymentsPanel, RunJobsPanel, RunsPanel } from '@/components/deploys-view';
import { LiveEnvironment } from '@/components/live/live-environment';
import { LiveStatus } from '@/components/live/live-status';
import { DeployForm } from '@/components/actions/lazy';
import { Card, Breadcrumbs, PageHeader } from '@/components/ui';
import { operatorTarget, viewableEnvironment, readOnce } from '@/lib/environment-page';
import { listRunJobs } from '@/lib/github';
import { SERVICE_ROLES } from '@/contracts/platform';
import { getServiceDetail } from '@/lib/service-detail';
import { getEnvironmentSnapshot } from '@/lib/snapshot';

export const maxDuration = 30;
/** ?run=ID picks the run whose jobs and steps are shown. */
const RunParam = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().catch(undefined);

export async function generateMetadata({ params }: PageProps<'/environments/[env]/deploys'>): Promise<Metadata> {
  return { title: `deploys · ${(await params).env} · Pilothouse` };
}

export default async function DeploysPage({ params, searchParams }: PageProps<'/environments/[env]/deploys'>) {
  await connection();
  const environment = await viewableEnvironment((await params).env);
  // The runs are this page's content, and its forms are built from them: every part, waited for.
  const snapshot = await getEnvironmentSnapshot(environment);
  const runs = snapshot.deployRuns.value ?? [];
  const asked = RunParam.parse((await searchParams).run);
  // Only a run of this workflow's list: a made-up id is not sent to GitHub.
  const selected = runs.find((r) => r.id === asked)?.id ?? runs[0]?.id ?? null;
  const details = await Promise.all(
    SERVICE_ROLES.map((role) => {
      const family =
        snapshot.ecs.value?.services.find((s) => s.role === role)?.taskDefinition?.family ??
        `${environment.ecs.cluster}-${role}`;
      return getServiceDetail(environment, role, family);
    }),
  );
  const revisions = Object.fromEntries(SERVICE_ROLES.map((role, i) => [role, details[i].revisions.value ?? []]));
  const jobs = selected === null ? null : await readOnce(listRunJobs(environment, selected));
  const basePath = `/environments/${encodeURIComponent(environment.name)}/deploys`;
  const operator = await operatorTarget(environment);
  // An image can be deployed when every service's repository has it.
  const images = snapshot.images.value;
  const deployableTags = images
    ? images.api.images.flatMap((i) => i.tags).filter((tag) => images.worker.images.some((w) => w.tags.includes(tag)))
    : [];
  return (
    <LiveEnvironment initial={{ version: 0, at: new Date().toISOString(), snapshot }}>
      <div className="space-y-4">
        <Breadcrumbs environment={environment.name} current="deploys" />
        <PageHeader production={environment.production} title="Deploys" subtitle={`to ${environment.name}`}>
          <div className="ml-auto">
            <LiveStatus />
          </div>
        </PageHeader>
        {operator && (
          <Card title="Deploy a ref or an image">
            <DeployForm target={operator} imageTags={deployableTags} />
          </Card>
        )}
        <div className="grid gap-4 lg:grid-cols-2">
          <RunsPanel revisions={revisions} selected={selected} basePath={basePath} />
          <div className="min-w-0 space-y-4">
            <EcsDeploymentsPanel revisions={revisions} />
            {selected !== null && jobs && <RunJobsPanel runId={selected} jobs={jobs} />}
          </div>
        </div>
      </div>
    </LiveEnvironment>
  );
}
