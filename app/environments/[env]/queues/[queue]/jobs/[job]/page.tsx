import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { Suspense } from 'react';
import { JobEvidencePanel } from '@/components/job-evidence';
import { LogLines } from '@/components/log-lines';
import { Badge, Card, Loading, Breadcrumbs, MUTED, TextLink } from '@/components/ui';
import { listJobEvidence } from '@/lib/aws/s3';
import type { Environment } from '@/lib/environments';
import { operatorTarget, readOnce, viewableEnvironment, queueOr404 } from '@/lib/environment-page';
import { JobActions } from '@/components/actions/lazy';
import { getJob } from '@/lib/queue';
import { JOB_LINES, jobLogLines } from '@/lib/logs';
import { logsHref } from '@/model/log-links';

export const maxDuration = 30;

export async function generateMetadata({
  params,
}: PageProps<'/environments/[env]/queues/[queue]/jobs/[job]'>): Promise<Metadata> {
  const { queue, job } = await params;
  return { title: `job ${job} · ${queue} · Pilothouse` };
}

export default async function JobPage({ params }: PageProps<'/environments/[env]/queues/[queue]/jobs/[job]'>) {
  await connection();
  const { env, queue: queueName, job: jobId } = await params;
  const environment = await viewableEnvironment(env);
  const queue = queueOr404(environment, queueName);
  // BullMQ job ids are our UUIDs or counters: anything else names no job.
  if (!/^[A-Za-z0-9:_-]{1,128}$/.test(jobId)) notFound();
  const job = await getJob(environment, queue, jobId);
  if (!job) notFound();
  const operator = await operatorTarget(environment);
  const queuePath = `/environments/${encodeURIComponent(environment.name)}/queues/${encodeURIComponent(queue)}`;
  const tone = job.state === 'failed' ? 'bad' : job.state === 'completed' ? 'good' : 'info';
  return (
    <div className="space-y-4">
      <Breadcrumbs
        environment={environment.name}
        links={[{ label: `queue ${queue}`, href: queuePath }]}
        current={`job ${job.id}`}
      />
      <h1 className="flex flex-wrap items-center gap-3 text-xl font-semibold">
        job <span className="font-mono text-base">{job.id}</span> <Badge tone={tone}>{job.state}</Badge>
      </h1>
      {operator && <JobActions target={operator} queue={queue} job={job.id} failed={job.state === 'failed'} />}
      <Card title="Job">
        <dl className="grid gap-3 px-4 py-3 text-sm sm:grid-cols-4">
          <div>
            <dt className={`text-xs uppercase ${MUTED}`}>Kind</dt>
            <dd>{job.name}</dd>
          </div>
          <div>
            <dt className={`text-xs uppercase ${MUTED}`}>Attempts</dt>
            <dd className="tabular-nums">{job.attemptsMade}</dd>
          </div>
          <div>
            <dt className={`text-xs uppercase ${MUTED}`}>Created</dt>
            <dd>
              <time dateTime={job.createdAt}>{job.createdAt}</time>
            </dd>
          </div>
          <div>
            <dt className={`text-xs uppercase ${MUTED}`}>Finished</dt>
            <dd>{job.finishedAt ? <time dateTime={job.finishedAt}>{job.finishedAt}</time> : '—'}</dd>
          </div>
        </dl>
        {job.failedReason && (
          <p className="px-4 pb-2 text-sm text-rose-700 dark:text-rose-300" data-testid="failed-reason">
            {job.failedReason}
          </p>
        )}
        {job.stacktrace.length > 0 && (
          <details className="px-4 pb-3" open>
            <summary className="cursor-pointer text-sm font-medium">
              Stack ({job.stacktrace.length} attempt{job.stacktrace.length === 1 ? '' : 's'})
            </summary>
            <pre className="mt-2 overflow-x-auto rounded bg-slate-100 p-2 text-xs dark:bg-slate-800" tabIndex={0}>
              {job.stacktrace.at(-1)}
            </pre>
          </details>
        )}
        {job.processedAt && (
          <p className={`px-4 pb-2 text-xs ${MUTED}`} data-testid="job-timings">
            waited {seconds(job.createdAt, job.processedAt)} before its last attempt started
            {job.finishedAt && <>, which ran {seconds(job.processedAt, job.finishedAt)}</>}
          </p>
        )}
        <h2 className="px-4 text-sm font-medium">Input</h2>
        <pre
          className="mx-4 mt-1 mb-3 overflow-x-auto rounded bg-slate-100 p-2 text-xs dark:bg-slate-800"
          tabIndex={0}
          data-testid="job-data"
        >
          {job.data}
        </pre>
        {job.returnValue && (
          <>
            <h2 className="px-4 text-sm font-medium">Result</h2>
            <pre
              className="mx-4 mt-1 mb-3 overflow-x-auto rounded bg-slate-100 p-2 text-xs dark:bg-slate-800"
              tabIndex={0}
            >
              {job.returnValue}
            </pre>
          </>
        )}
      </Card>
      <Card title={`Log (${job.logCount} line${job.logCount === 1 ? '' : 's'})`} testId="panel-job-log">
        {job.logs.length === 0 ? (
          <p className={`px-4 py-3 text-sm ${MUTED}`}>The worker wrote no log lines for this job.</p>
        ) : (
          <pre className="overflow-x-auto px-4 py-3 text-xs" tabIndex={0} data-testid="job-log">
            {job.logs.join('\n')}
          </pre>
        )}
      </Card>
      <Suspense
        fallback={
          <Card title="What the worker wrote">
            <Loading label="worker log lines" />
          </Card>
        }
      >
        <WorkerLines environment={environment} job={job} />
      </Suspense>
      {(job.state === 'failed' || job.attemptsMade > 0) && (
        <Suspense
          fallback={
            <Card title="Evidence from the browser">
              <Loading label="evidence" />
            </Card>
          }
        >
          <Evidence environment={environment} jobId={job.id} />
        </Suspense>
      )}
    </div>
  );
}

function seconds(fromIso: string, toIso: string): string {
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  return ms < 1_000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The artifacts bucket's record of the failed attempts (S3, streamed: the job's own data does not wait for it). */
async function Evidence({ environment, jobId }: { environment: Environment; jobId: string }) {
  const read = await readOnce(listJobEvidence(environment, jobId));
  return <JobEvidencePanel evidence={read.value} error={read.error} configured={Boolean(environment.artifacts)} />;
}

/** The worker's own log lines for this job, from CloudWatch Logs (streamed: the job's own data does not wait for it). */
async function WorkerLines({
  environment,
  job,
}: {
  environment: Environment;
  job: { id: string; createdAt: string; finishedAt: string | null };
}) {
  const read = await readOnce(jobLogLines(environment, job));
  const lines = read.value?.lines ?? [];
  return (
    <Card
      title={`What the worker wrote (${lines.length}${read.value?.truncated ? `, the newest ${JOB_LINES}` : ''})`}
      testId="panel-worker-lines"
      actions={
        <TextLink href={logsHref(environment.name, 'worker', { q: job.id, at: job.createdAt })} className="text-sm">
          In the worker’s logs →
        </TextLink>
      }
    >
      {read.error ? (
        <p role="alert" className="px-4 py-3 text-sm text-rose-700 dark:text-rose-300">
          CloudWatch Logs: {read.error.message}
        </p>
      ) : lines.length === 0 ? (
        <p className={`px-4 py-3 text-sm ${MUTED}`}>No line of the worker names this job (yet).</p>
      ) : (
        <LogLines lines={lines} env={environment.name} role="worker" />
      )}
    </Card>
  );
}
