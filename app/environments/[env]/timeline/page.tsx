import type { Metadata } from 'next';
import { connection } from 'next/server';
import { LiveEnvironment } from '@/components/live/live-environment';
import { LiveStatus } from '@/components/live/live-status';
import { TimelineView } from '@/components/timeline-view';
import { Breadcrumbs, PageHeader, RangeLinks } from '@/components/ui';
import { RangeParam, viewableEnvironment } from '@/lib/environment-page';
import { getTimeline } from '@/lib/timeline';

export const maxDuration = 30;

export async function generateMetadata({ params }: PageProps<'/environments/[env]/timeline'>): Promise<Metadata> {
  return { title: `timeline · ${(await params).env} · Pilothouse` };
}

/** What changed and whether the platform kept up, on one time axis: rows of metrics, and a marker for every deploy, rollout, scaling, action and status change. */
export default async function TimelinePage({ params, searchParams }: PageProps<'/environments/[env]/timeline'>) {
  await connection();
  const { env } = await params;
  const environment = await viewableEnvironment(env);
  const range = RangeParam.parse((await searchParams).range);
  const timeline = await getTimeline(environment, range);
  const base = `/environments/${encodeURIComponent(environment.name)}`;
  return (
    <LiveEnvironment initial={{ version: 0, at: new Date(timeline.to).toISOString(), snapshot: timeline.snapshot }}>
      <div className="space-y-4">
        <Breadcrumbs environment={environment.name} current="timeline" />
        <PageHeader production={environment.production} title="Timeline" subtitle={`of ${environment.name}`}>
          <LiveStatus />
          <RangeLinks
            label="Timeline range"
            current={range}
            href={(name) => `${base}/timeline?range=${name}`}
            className="ml-auto"
          />
        </PageHeader>
        {timeline.problems.length > 0 && (
          <ul
            role="status"
            className="rounded border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200"
            data-testid="timeline-problems"
          >
            {timeline.problems.map((p) => (
              <li key={p.source}>
                {p.source}: {p.message}
              </li>
            ))}
          </ul>
        )}
        <TimelineView metrics={timeline.metrics} markers={timeline.markers} from={timeline.from} to={timeline.to} />
      </div>
    </LiveEnvironment>
  );
}
