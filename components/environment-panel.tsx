import type { EnvironmentOverview } from '@/lib/overview';

const ROLLOUT_STYLE: Record<string, string> = {
  COMPLETED: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-900/50 dark:text-emerald-200',
  IN_PROGRESS: 'bg-sky-100 text-sky-800 dark:bg-sky-900/50 dark:text-sky-200',
  FAILED: 'bg-rose-100 text-rose-800 dark:bg-rose-900/50 dark:text-rose-200',
};

export function EnvironmentPanel({ environment }: { environment: EnvironmentOverview }) {
  const headingId = `env-${environment.name}`;
  return (
    <section
      aria-labelledby={headingId}
      className="rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900"
    >
      <div className="flex flex-wrap items-center gap-3 border-b border-slate-200 px-5 py-3 dark:border-slate-800">
        <h2 id={headingId} className="text-base font-semibold">
          {environment.name}
        </h2>
        {environment.production && (
          <span
            data-testid="production-badge"
            className="rounded bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-900 dark:bg-amber-900/50 dark:text-amber-100"
          >
            production
          </span>
        )}
        <span className="text-sm text-slate-500 dark:text-slate-400">
          {environment.region} · cluster {environment.cluster}
        </span>
      </div>
      {environment.error ? (
        <p role="alert" className="px-5 py-4 text-sm text-rose-700 dark:text-rose-300">
          Could not read ECS: {environment.error}
        </p>
      ) : (
        <ServiceTable environment={environment} />
      )}
    </section>
  );
}

function ServiceTable({ environment }: { environment: EnvironmentOverview }) {
  const services = environment.ecs?.services ?? [];
  const missing = environment.ecs?.missing ?? [];
  return (
    <div className="overflow-x-auto">
      <table className="w-full table-fixed text-sm">
        <caption className="sr-only">ECS services in {environment.name}</caption>
        <thead className="text-left text-xs uppercase tracking-wide text-slate-500 dark:text-slate-400">
          <tr>
            <th scope="col" className="w-40 px-5 py-2 font-medium">Service</th>
            <th scope="col" className="w-72 px-3 py-2 font-medium">Task definition</th>
            <th scope="col" className="px-3 py-2 text-right font-medium">Desired</th>
            <th scope="col" className="px-3 py-2 text-right font-medium">Running</th>
            <th scope="col" className="px-3 py-2 text-right font-medium">Pending</th>
            <th scope="col" className="w-36 px-5 py-2 font-medium">Rollout</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {services.map((s) => (
            <tr key={s.arn} data-service={s.role}>
              <th scope="row" className="px-5 py-2.5 text-left font-medium">
                {s.role}
                {s.name !== s.role && <span className="ml-2 font-normal text-slate-500">{s.name}</span>}
              </th>
              <td className="px-3 py-2.5 font-mono text-xs text-slate-600 dark:text-slate-300">
                {s.taskDefinition ? `${s.taskDefinition.family}:${s.taskDefinition.revision}` : '—'}
              </td>
              <td className="px-3 py-2.5 text-right tabular-nums" data-count="desired">{s.desiredCount}</td>
              <td
                className={`px-3 py-2.5 text-right tabular-nums ${s.runningCount < s.desiredCount ? 'font-semibold text-amber-700 dark:text-amber-300' : ''}`}
                data-count="running"
              >
                {s.runningCount}
              </td>
              <td className="px-3 py-2.5 text-right tabular-nums" data-count="pending">{s.pendingCount}</td>
              <td className="px-5 py-2.5">
                {s.rolloutState ? (
                  <span className={`rounded px-2 py-0.5 text-xs font-medium ${ROLLOUT_STYLE[s.rolloutState]}`}>
                    {s.rolloutState.replace('_', ' ').toLowerCase()}
                  </span>
                ) : (
                  <span className="text-slate-400">—</span>
                )}
              </td>
            </tr>
          ))}
          {missing.map((name) => (
            <tr key={name}>
              <th scope="row" className="px-5 py-2.5 text-left font-medium">{name}</th>
              <td colSpan={5} className="px-3 py-2.5 text-rose-700 dark:text-rose-300">
                not found in cluster {environment.cluster}
              </td>
            </tr>
          ))}
          {services.length === 0 && missing.length === 0 && (
            <tr>
              <td colSpan={6} className="px-5 py-4 text-slate-500">No services configured.</td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
