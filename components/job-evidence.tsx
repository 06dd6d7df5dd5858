/** A failed browser job's evidence per attempt: the page at failure, the trace, console errors and failed requests. Server-rendered. */
import type { ErrorInfo } from '@/model/errors';
import type { JobEvidenceView } from '@/contracts/evidence';
import { Card, Empty, Table, td, MUTED, TableHead } from './ui';

export function JobEvidencePanel({
  evidence,
  error,
  configured,
}: {
  evidence: JobEvidenceView[] | null;
  error: ErrorInfo | null;
  configured: boolean;
}) {
  return (
    <Card title="Evidence from the browser" testId="panel-evidence">
      {!configured ? (
        <Empty>This environment names no artifacts bucket in the registry.</Empty>
      ) : error ? (
        <p role="alert" className="px-4 py-3 text-sm text-rose-700 dark:text-rose-300">
          The artifacts bucket could not be read: {error.message}
        </p>
      ) : !evidence || evidence.length === 0 ? (
        <Empty>No failed attempt left evidence.</Empty>
      ) : (
        <div className="divide-y divide-slate-200 dark:divide-slate-800">
          {evidence.map((e) => (
            <section
              key={e.attempt}
              className="space-y-3 px-4 py-3"
              data-attempt={e.attempt}
              aria-label={`Attempt ${e.attempt}`}
            >
              <h3 className="text-sm font-medium">
                Attempt {e.attempt} failed{' '}
                <time dateTime={e.at} className={`font-normal ${MUTED}`}>
                  {e.at.replace('T', ' ').slice(0, 19)} UTC
                </time>
              </h3>
              <p className="text-sm text-rose-700 dark:text-rose-300" data-testid="evidence-error">
                {e.error}
              </p>
              <div className="grid gap-4 lg:grid-cols-2">
                <div>
                  {e.screenshotUrl ? (
                    <a href={e.screenshotUrl} className="block">
                      {/* A presigned S3 link: short-lived, so no image optimisation or caching. */}
                      {/* eslint-disable-next-line @next/next/no-img-element */}
                      <img
                        src={e.screenshotUrl}
                        alt={`The page when attempt ${e.attempt} failed`}
                        loading="lazy"
                        className="max-h-80 w-full rounded border border-slate-200 object-contain object-top dark:border-slate-700"
                        data-testid="failure-screenshot"
                      />
                    </a>
                  ) : (
                    <p className={`text-sm ${MUTED}`}>No screenshot (the page never opened).</p>
                  )}
                  {e.traceUrl && (
                    <p className="mt-2 text-sm">
                      <a
                        href={e.traceUrl}
                        className="font-medium text-sky-700 underline-offset-2 hover:underline dark:text-sky-300"
                        data-testid="trace-link"
                        download
                      >
                        Download the Playwright trace
                      </a>
                      <span className={`block text-xs ${MUTED}`}>
                        Open it with <code>npx playwright show-trace trace.zip</code>, or drop it on
                        trace.playwright.dev (it stays in your browser). The link works for 5 minutes.
                      </span>
                    </p>
                  )}
                </div>
                <div className="min-w-0 space-y-3">
                  <div>
                    <h4 className={`text-xs font-medium tracking-wide uppercase ${MUTED}`}>
                      Console errors ({e.consoleErrors.length})
                    </h4>
                    {e.consoleErrors.length === 0 ? (
                      <p className="text-sm">None.</p>
                    ) : (
                      <ul className="mt-1 space-y-1 font-mono text-xs" data-testid="console-errors">
                        {e.consoleErrors.map((c, i) => (
                          <li key={i} className="break-words">
                            {c.text}
                          </li>
                        ))}
                      </ul>
                    )}
                  </div>
                  <div>
                    <h4 className={`text-xs font-medium tracking-wide uppercase ${MUTED}`}>
                      Failed requests ({e.failedRequests.length})
                    </h4>
                    {e.failedRequests.length === 0 ? (
                      <p className="text-sm">None.</p>
                    ) : (
                      <Table caption={`Failed requests of attempt ${e.attempt}`}>
                        <TableHead columns={['Request', 'Answer']} />
                        <tbody
                          className="divide-y divide-slate-100 dark:divide-slate-800"
                          data-testid="failed-requests"
                        >
                          {e.failedRequests.map((r, i) => (
                            <tr key={i}>
                              <td className={`${td} max-w-xs font-mono text-xs break-all`}>
                                {r.method} {r.url}
                              </td>
                              <td className={`${td} text-xs`}>{r.status ?? r.failure}</td>
                            </tr>
                          ))}
                        </tbody>
                      </Table>
                    )}
                  </div>
                </div>
              </div>
            </section>
          ))}
        </div>
      )}
    </Card>
  );
}
