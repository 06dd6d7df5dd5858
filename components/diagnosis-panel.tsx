'use client';
/**
 * "Why is it unhealthy?": shown while the environment is degraded or down, following the live
 * snapshot (model/diagnosis.ts decides). The rule that fired, then the evidence, then the
 * suspects ranked, the first one loudest; a deployment suspect offers its rollback (the
 * service page's confirmed, audited action, with its preview).
 */
import { diagnose, type Suspect } from '@/model/diagnosis';
import { logsHref } from '@/model/log-links';
import { containerOutcome } from '@/model/task-failures';
import { useLive, useSnapshot } from './live/live-environment';
import { RelativeTime } from './time';
import { Badge, MUTED, TextLink } from './ui';

const KIND_LABEL: Record<Suspect['kind'], string> = {
  deployment: 'deployment',
  'deploy-run': 'deploy',
  parameter: 'parameter',
  scaling: 'scaling',
  action: 'operator action',
  'scaled-to-zero': 'scaled to zero',
  target: 'target health',
  queue: 'queue',
  redis: 'Redis',
};

export function DiagnosisPanel({ env, operator }: { env: string; operator: boolean }) {
  const snapshot = useSnapshot();
  const { at } = useLive();
  const diagnosis = diagnose(snapshot, Date.parse(at));
  if (!diagnosis) return null;
  const [top, ...others] = diagnosis.suspects;
  const down = diagnosis.status === 'down';
  return (
    <section
      aria-labelledby="diagnosis-title"
      data-testid="panel-diagnosis"
      className={`rounded-lg border-2 bg-white dark:bg-slate-900 ${down ? 'border-rose-600' : 'border-amber-500'}`}
    >
      <header className="flex flex-wrap items-baseline gap-2 border-b border-slate-200 px-4 py-2 dark:border-slate-800">
        <h2 id="diagnosis-title" className="font-semibold">
          Why is it {diagnosis.status}?
        </h2>
        <span className={`text-sm ${MUTED}`}>
          since about <RelativeTime iso={diagnosis.troubleSince} />
          {diagnosis.services.length > 0 && <> · {diagnosis.services.join(', ')}</>}
        </span>
      </header>
      <div className="space-y-3 px-4 py-3 text-sm">
        <p data-testid="diagnosis-rule">
          <span className={MUTED}>The rule that fired:</span> {diagnosis.rule}
        </p>
        {top && (
          <div
            className="rounded border border-slate-200 bg-slate-50 p-3 dark:border-slate-700 dark:bg-slate-800/60"
            data-testid="top-suspect"
            data-suspect={top.id}
            data-kind={top.kind}
          >
            <p className="font-medium">
              <Badge tone={down ? 'bad' : 'warn'}>most likely</Badge> {top.title}{' '}
              <span className={`text-xs ${MUTED}`}>({KIND_LABEL[top.kind]})</span>
            </p>
            <SuspectEvidence suspect={top} />
            <SuspectLinks env={env} suspect={top} operator={operator} />
          </div>
        )}
        {others.length > 0 && (
          <details>
            <summary className="cursor-pointer">Other suspects ({others.length})</summary>
            <ol className="mt-2 space-y-2" data-testid="other-suspects">
              {others.map((s) => (
                <li key={s.id} data-suspect={s.id}>
                  {s.title} <span className={`text-xs ${MUTED}`}>({KIND_LABEL[s.kind]})</span>
                  <SuspectEvidence suspect={s} />
                </li>
              ))}
            </ol>
          </details>
        )}
        <div className="grid gap-3 md:grid-cols-3">
          <Evidence title="Unhealthy targets" empty="All targets healthy.">
            {diagnosis.unhealthyTargets.map((t) => (
              <li key={`${t.group}-${t.id}-${t.port}`}>
                <span className="font-mono text-xs">
                  {t.id}
                  {t.port ? `:${t.port}` : ''}
                </span>{' '}
                {t.state}
                {t.reason && (
                  <span className={`block text-xs ${MUTED}`}>
                    {[t.reason, t.description].filter(Boolean).join(': ')}
                  </span>
                )}
              </li>
            ))}
          </Evidence>
          <Evidence title="Tasks that stopped" empty="No task stopped badly.">
            {diagnosis.stoppedTasks.map((s) => (
              <li key={s.taskArn}>
                {s.role ? (
                  <TextLink
                    href={logsHref(env, s.role, { task: s.taskId, at: s.stoppedAt })}
                    className="font-mono text-xs"
                  >
                    {s.role}/{s.taskId.slice(0, 8)}
                  </TextLink>
                ) : (
                  <span className="font-mono text-xs">{s.taskId.slice(0, 8)}</span>
                )}{' '}
                {containerOutcome(s) || s.stopCode} · <RelativeTime iso={s.stoppedAt} />
                {s.stoppedReason && <span className={`block text-xs ${MUTED}`}>{s.stoppedReason}</span>}
              </li>
            ))}
          </Evidence>
          <Evidence title="Top errors since then" empty="No error lines.">
            {diagnosis.errors.map((g) => (
              <li key={`${g.role}-${g.message}-${g.detail}`}>
                <Badge tone="bad">×{g.count}</Badge>{' '}
                {g.role ? (
                  <TextLink
                    href={logsHref(env, g.role, { q: g.message.split(/\s+/).slice(0, 6).join(' '), range: '1h' })}
                  >
                    {g.message}
                  </TextLink>
                ) : (
                  g.message
                )}
                {g.detail && <span className={`block text-xs break-words ${MUTED}`}>{g.detail}</span>}
              </li>
            ))}
          </Evidence>
        </div>
      </div>
    </section>
  );
}

function SuspectEvidence({ suspect }: { suspect: Suspect }) {
  return (
    <ul className={`mt-1 list-disc pl-5 text-xs ${MUTED}`}>
      {suspect.evidence.map((line) => (
        <li key={line}>{line}</li>
      ))}
    </ul>
  );
}

function SuspectLinks({ env, suspect, operator }: { env: string; suspect: Suspect; operator: boolean }) {
  const service = suspect.service;
  return (
    <p className="mt-2 flex flex-wrap gap-3 text-sm">
      {service && (
        <TextLink href={`/environments/${encodeURIComponent(env)}/services/${service}`}>{service} service →</TextLink>
      )}
      {suspect.kind === 'deployment' && service && (
        <TextLink href={logsHref(env, service, { deployment: suspect.id.replace(/^deployment:/, '') })}>
          its logs →
        </TextLink>
      )}
      {suspect.rollback && operator && (
        <TextLink
          href={`/environments/${encodeURIComponent(env)}/services/${suspect.rollback.service}?rollback=${suspect.rollback.revision}#panel-revisions`}
          data-testid="suspect-rollback"
        >
          Roll back {suspect.rollback.service} to :{suspect.rollback.revision} (preview first) →
        </TextLink>
      )}
    </p>
  );
}

function Evidence({ title, empty, children }: { title: string; empty: string; children: React.ReactNode[] }) {
  return (
    <div className="min-w-0">
      <h3 className="text-xs font-medium tracking-wide text-slate-600 uppercase dark:text-slate-400">{title}</h3>
      {children.length === 0 ? (
        <p className={`text-xs ${MUTED}`}>{empty}</p>
      ) : (
        <ul className="mt-1 space-y-1">{children}</ul>
      )}
    </div>
  );
}
