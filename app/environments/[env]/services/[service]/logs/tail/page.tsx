import type { Metadata } from 'next';
import { connection } from 'next/server';
import { LogTail } from '@/components/log-tail';
import { Breadcrumbs, MUTED, PageHeader, TextLink } from '@/components/ui';
import { readOnce, serviceOr404, viewableEnvironment } from '@/lib/environment-page';
import { LogSearchQuery, searchLogs } from '@/lib/logs';
import { logsHref } from '@/model/log-links';

export async function generateMetadata({
  params,
}: PageProps<'/environments/[env]/services/[service]/logs/tail'>): Promise<Metadata> {
  const { env, service } = await params;
  return { title: `tail · ${service} · ${env} · Pilothouse` };
}

/** A service's live tail: the last lines, then each new one as it is written, shared with everyone watching. */
export default async function ServiceTailPage({
  params,
}: PageProps<'/environments/[env]/services/[service]/logs/tail'>) {
  await connection();
  const { env, service } = await params;
  const environment = await viewableEnvironment(env);
  const role = serviceOr404(service);
  // The last lines to start from (newest first from the search, shown oldest first).
  const recent = await readOnce(searchLogs(environment, role, LogSearchQuery.parse({ range: '15m', limit: '100' })));
  return (
    <div className="space-y-4">
      <Breadcrumbs
        environment={environment.name}
        links={[
          { label: role, href: `/environments/${encodeURIComponent(environment.name)}/services/${role}` },
          { label: 'logs', href: logsHref(environment.name, role) },
        ]}
        current="tail"
      />
      <PageHeader production={environment.production} title={`${role} live tail`} subtitle={`in ${environment.name}`}>
        <span className={`text-sm ${MUTED}`}>every {role} task, as written</span>
        <TextLink href={logsHref(environment.name, role)} className="text-sm">
          Search instead
        </TextLink>
      </PageHeader>
      {recent.error && (
        <p role="alert" className="text-sm text-rose-700 dark:text-rose-300">
          The last lines could not be read: {recent.error.message}
        </p>
      )}
      <LogTail env={environment.name} role={role} initial={[...(recent.value?.lines ?? [])].reverse()} />
    </div>
  );
}
