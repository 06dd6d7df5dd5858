/**
 * Links to a service's logs (app/environments/[env]/services/[service]/logs): from a task row,
 * a deployment, a stopped task, a job. Browser-safe; the page validates what it is given.
 */
export type LogsLink = {
  task?: string;
  deployment?: string;
  /** Open on the lines around this time (a stopped task's stop, a permalinked line). */
  at?: string | number;
  /** The line to mark (CloudWatch Logs' event id). */
  line?: string;
  q?: string;
  mode?: 'text' | 'pattern';
  range?: string;
  from?: string;
  to?: string;
  /** A search's `older` cursor: the next page. */
  before?: string;
};

export function logsHref(env: string, role: string, link: LogsLink = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(link)) {
    if (value === undefined || value === '') continue;
    params.set(key, key === 'at' ? new Date(value).toISOString() : String(value));
  }
  const query = params.toString();
  return `/environments/${encodeURIComponent(env)}/services/${encodeURIComponent(role)}/logs${query ? `?${query}` : ''}`;
}
