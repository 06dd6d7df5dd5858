import type { Metadata } from 'next';
import { connection } from 'next/server';
import { formatTime } from '@/components/format';
import { LogLines } from '@/components/log-lines';
import { Breadcrumbs, Card, Empty, MUTED, PageHeader, TextLink } from '@/components/ui';
import { serviceOr404, viewableEnvironment } from '@/lib/environment-page';
import { LOG_RANGES, LogSearchQuery, searchLogs } from '@/lib/logs';
import { toErrorInfo } from '@/model/errors';
import { logsHref } from '@/model/log-links';
import type { LogSearchResult } from '@/model/schemas/logs';

export const maxDuration = 30;

export async function generateMetadata({
  params,
}: PageProps<'/environments/[env]/services/[service]/logs'>): Promise<Metadata> {
  const { env, service } = await params;
  return { title: `logs · ${service} · ${env} · Pilothouse` };
}

const field =
  'rounded border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-600 dark:bg-slate-900 focus-visible:outline-2 focus-visible:outline-sky-600';

/** A service's logs: search by text or filter pattern, newest first, scoped to the service, a task or a deployment. */
export default async function ServiceLogsPage({
  params,
  searchParams,
}: PageProps<'/environments/[env]/services/[service]/logs'>) {
  await connection();
  const { env, service } = await params;
  const environment = await viewableEnvironment(env);
  const role = serviceOr404(service);
  const given = Object.fromEntries(
    Object.entries(await searchParams).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
  const parsed = LogSearchQuery.safeParse(given);
  let result: LogSearchResult | null = null;
  let problem: string | null = null;
  if (!parsed.success) {
    problem = parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ');
  } else {
    try {
      result = await searchLogs(environment, role, parsed.data);
    } catch (err) {
      problem = toErrorInfo(err).message;
    }
  }
  const query = parsed.success ? parsed.data : null;
  const scope = { task: query?.task, deployment: query?.deployment };
  const servicePath = `/environments/${encodeURIComponent(environment.name)}/services/${role}`;
  const scopeLabel = query?.task
    ? `task ${query.task}`
    : query?.deployment
      ? `deployment ${query.deployment}`
      : `every ${role} task`;
  // The same search, from where this page ended (a range ending now is pinned, so it does not move).
  const olderHref =
    result?.older && query
      ? logsHref(environment.name, role, {
          ...scope,
          q: query.q,
          mode: query.mode,
          ...(query.at
            ? { at: query.at }
            : { from: new Date(result.from).toISOString(), to: new Date(result.to).toISOString() }),
          before: result.older,
        })
      : null;

  return (
    <div className="space-y-4">
      <Breadcrumbs environment={environment.name} links={[{ label: role, href: servicePath }]} current="logs" />
      <PageHeader production={environment.production} title={`${role} logs`} subtitle={`in ${environment.name}`}>
        <TextLink href={`${servicePath}/logs/tail`} className="text-sm" data-testid="log-tail-link">
          Live tail
        </TextLink>
        <span className={`text-sm ${MUTED}`} data-testid="log-scope">
          {scopeLabel}
          {(query?.task || query?.deployment) && (
            <>
              {' · '}
              <TextLink href={logsHref(environment.name, role, { q: query.q, mode: query.mode })}>all tasks</TextLink>
            </>
          )}
        </span>
      </PageHeader>
      <form role="search" className="flex flex-wrap items-end gap-2" action={`${servicePath}/logs`}>
        <label className="flex min-w-48 flex-1 flex-col text-sm">
          Search
          <input
            name="q"
            defaultValue={given.q ?? ''}
            placeholder={'words that must all appear, or a filter pattern: "job failed" -timeout %5\\d\\d%'}
            className={`${field} font-mono`}
            data-testid="log-search-input"
          />
        </label>
        <label className="flex flex-col text-sm">
          As
          <select name="mode" defaultValue={query?.mode ?? 'text'} className={field}>
            <option value="text">text</option>
            <option value="pattern">filter pattern</option>
          </select>
        </label>
        {given.at ? (
          <input type="hidden" name="at" value={given.at} />
        ) : (
          <label className="flex flex-col text-sm">
            Last
            <select name="range" defaultValue={query?.range ?? '1h'} className={field}>
              {Object.keys(LOG_RANGES).map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </label>
        )}
        {query?.task && <input type="hidden" name="task" value={query.task} />}
        {query?.deployment && <input type="hidden" name="deployment" value={query.deployment} />}
        <button
          type="submit"
          className="rounded border border-sky-700 px-3 py-1 text-sm font-medium text-sky-800 dark:border-sky-400 dark:text-sky-200"
        >
          Search
        </button>
      </form>
      {problem && (
        <p role="alert" className="text-sm text-rose-700 dark:text-rose-300" data-testid="log-search-problem">
          {problem}
        </p>
      )}
      {result && (
        <Card
          title={`${result.lines.length} line${result.lines.length === 1 ? '' : 's'}, newest first`}
          testId="log-results"
          actions={
            <span className={`text-xs ${MUTED}`}>
              {formatTime(result.from)} – {formatTime(result.to)}
            </span>
          }
        >
          {result.lines.length === 0 ? (
            <Empty>
              No line {query?.q ? 'matches' : 'was written'} in this range.{' '}
              {!query?.at && query?.range !== '7d' && 'Try a longer range.'}
            </Empty>
          ) : (
            <LogLines
              lines={result.lines}
              env={environment.name}
              role={role}
              marked={query?.line}
              taskLinks={!query?.task}
            />
          )}
          {olderHref && (
            <div className="border-t border-slate-200 px-4 py-2 text-sm dark:border-slate-800">
              <TextLink href={olderHref} data-testid="log-older">
                Older lines
              </TextLink>
            </div>
          )}
        </Card>
      )}
    </div>
  );
}
