import type { Metadata } from 'next';
import Link from 'next/link';
import { connection } from 'next/server';
import { Badge, Card, Empty, Table, td, type Tone, Breadcrumbs, MUTED, TableHead } from '@/components/ui';
import { viewableEnvironment } from '@/lib/environment-page';
import { searchJobs, SearchQuery, SEARCH_RESULTS, type JobMatch } from '@/lib/job-search';

export async function generateMetadata({ params }: PageProps<'/environments/[env]/jobs'>): Promise<Metadata> {
  return { title: `jobs · ${(await params).env} · Pilothouse` };
}

const STATE_TONE: Record<string, Tone> = {
  failed: 'bad',
  completed: 'good',
  active: 'info',
  waiting: 'neutral',
  delayed: 'warn',
};

/** Find a job by id, or by the host or URL it renders, across the environment's queues. */
export default async function JobSearchPage({ params, searchParams }: PageProps<'/environments/[env]/jobs'>) {
  await connection();
  const environment = await viewableEnvironment((await params).env);
  const raw = (await searchParams).q;
  const q = typeof raw === 'string' ? raw : '';
  const query = q ? SearchQuery.safeParse(q) : null;
  let jobs: JobMatch[] | null = null;
  let problem: string | null = query && !query.success ? query.error.issues[0].message : null;
  if (query?.success) {
    try {
      jobs = await searchJobs(environment, query.data);
    } catch (err) {
      problem = (err as Error).message;
    }
  }
  const base = `/environments/${encodeURIComponent(environment.name)}`;
  return (
    <div className="space-y-4">
      <Breadcrumbs environment={environment.name} current="jobs" />
      <h1 className="text-xl font-semibold">
        Find a job <span className={`font-normal ${MUTED}`}>in {environment.name}</span>
      </h1>
      <form role="search" className="flex flex-wrap gap-2" action={`${base}/jobs`}>
        <label className="flex min-w-0 flex-1 flex-col text-sm">
          Job id, host or URL
          <input
            name="q"
            defaultValue={q}
            autoFocus
            placeholder="pdf-1b2c…, shop.example.com or https://shop.example.com/checkout"
            className="rounded border border-slate-300 bg-white px-2 py-1 font-mono text-sm dark:border-slate-600 dark:bg-slate-900"
            data-testid="job-search-input"
          />
        </label>
        <button
          type="submit"
          className="self-end rounded border border-sky-700 px-3 py-1 text-sm font-medium text-sky-800 dark:border-sky-400 dark:text-sky-200"
        >
          Search
        </button>
      </form>
      {problem && (
        <p role="alert" className="text-sm text-rose-700 dark:text-rose-300">
          {problem}
        </p>
      )}
      {jobs && (
        <Card
          title={`${jobs.length === SEARCH_RESULTS ? `The newest ${SEARCH_RESULTS}` : jobs.length} job${jobs.length === 1 ? '' : 's'}`}
          testId="job-search-results"
        >
          {jobs.length === 0 ? (
            <Empty>No job matches. Ids are exact; a host finds the jobs the api took for it.</Empty>
          ) : (
            <Table caption="Jobs found">
              <TableHead columns={['Job', 'Queue', 'State', 'URL', 'Created']} />
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                {jobs.map((job) => (
                  <tr key={`${job.queue}/${job.id}`} data-job={job.id}>
                    <td className={`${td} font-mono text-xs`}>
                      <Link
                        href={`${base}/queues/${encodeURIComponent(job.queue)}/jobs/${encodeURIComponent(job.id)}`}
                        className="underline-offset-2 hover:underline"
                      >
                        {job.id}
                      </Link>
                    </td>
                    <td className={td}>{job.queue}</td>
                    <td className={td}>
                      <Badge tone={STATE_TONE[job.state] ?? 'neutral'}>{job.state}</Badge>
                      {job.failedReason && <span className={`block text-xs ${MUTED}`}>{job.failedReason}</span>}
                    </td>
                    <td className={`${td} max-w-md truncate font-mono text-xs`} title={job.url ?? undefined}>
                      {job.url ?? '—'}
                    </td>
                    <td className={`${td} text-xs whitespace-nowrap`}>
                      {job.createdAt?.replace('T', ' ').slice(0, 19)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </Card>
      )}
    </div>
  );
}
