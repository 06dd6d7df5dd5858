'use client';
/**
 * The operator's controls, shown only to operators and loaded after the page (see lazy.tsx).
 * Every action is confirmed as strongly as it is dangerous: in staging it starts after a
 * 5-second undo window (a toast with Cancel); in production the environment's name must be
 * typed. One Idempotency-Key per confirmed action, so a double click acts once.
 */
import { useEffect, useRef, useState, useSyncExternalStore, type FormEvent, type ReactNode } from 'react';
import type { TaskDefinitionRevision } from '@/model/schemas/ecs';
import type { DeployPreview, RefComparison } from '@/model/schemas/github';
import { diffRevisions } from '@/model/task-definition-diff';
import { MUTED } from '../ui';

export type ActionTarget = { env: string; production: boolean };
type Pending = { url: string; body: unknown; what: string; destructive: boolean };
type Outcome = { ok: true; text: string; link?: string; follow?: string } | { ok: false; text: string };

const UNDO_SECONDS = 5;
const noSubscription = () => () => {};
const button =
  'rounded border px-2.5 py-1 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 disabled:opacity-50';
const safe = `${button} border-sky-700 text-sky-800 hover:bg-sky-50 dark:border-sky-400 dark:text-sky-200 dark:hover:bg-sky-950`;
const danger = `${button} border-rose-700 bg-rose-700 text-white hover:bg-rose-800 dark:border-rose-500 dark:bg-rose-700`;
const field = 'rounded border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-600 dark:bg-slate-900';

async function send(pending: Pending, key: string): Promise<Outcome> {
  try {
    const response = await fetch(pending.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(pending.body),
    });
    const answer = (await response.json()) as {
      detail?: string;
      runId?: number | null;
      runUrl?: string | null;
      error?: { message: string };
    };
    if (!response.ok) return { ok: false, text: answer.error?.message ?? `failed (${response.status})` };
    // A deploy's run, followed on the deploys page (its jobs and steps, the ECS deployment beside it).
    const follow = answer.runId
      ? `${pending.url.replace(/\/deploys$/, '')}/deploys?run=${answer.runId}`.replace(
          '/api/environments/',
          '/environments/',
        )
      : undefined;
    return { ok: true, text: answer.detail ?? 'done', link: answer.runUrl ?? undefined, follow };
  } catch (err) {
    return { ok: false, text: `the control plane did not answer: ${(err as Error).message}` };
  }
}

/** Asks, waits or counts down as the environment requires, then sends once and shows the answer. */
function useConfirmedAction({ env, production }: ActionTarget) {
  const [pending, setPending] = useState<Pending | null>(null);
  const [countdown, setCountdown] = useState(0);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const timer = useRef<ReturnType<typeof setInterval> | undefined>(undefined);
  // Server-rendered buttons do nothing until this code has loaded: disabled until then, so a click is never lost.
  const ready = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );

  const go = async (action: Pending) => {
    clearInterval(timer.current);
    setPending(null);
    setBusy(true);
    setOutcome(await send(action, crypto.randomUUID()));
    setBusy(false);
  };

  useEffect(() => () => clearInterval(timer.current), []);

  const start = (action: Pending) => {
    setOutcome(null);
    setTyped('');
    setPending(action);
    if (production) return; // waits for the typed name
    let left = UNDO_SECONDS;
    setCountdown(left);
    timer.current = setInterval(() => {
      left -= 1;
      setCountdown(left);
      if (left <= 0) void go(action);
    }, 1_000);
  };
  const cancel = () => {
    clearInterval(timer.current);
    setPending(null);
    setOutcome({ ok: false, text: 'cancelled: nothing was done' });
  };

  const panel = (
    <>
      {pending && !production && (
        <div
          role="status"
          data-testid="undo-toast"
          className="fixed inset-x-4 bottom-4 z-50 mx-auto flex max-w-md items-center gap-3 rounded-lg bg-slate-900 px-4 py-3 text-sm text-white shadow-lg dark:bg-slate-100 dark:text-slate-900"
        >
          <span className="flex-1">
            {pending.what} in {countdown} s
          </span>
          <button
            type="button"
            onClick={cancel}
            className="rounded border border-white/60 px-2 py-0.5 font-medium dark:border-slate-900/60"
          >
            Cancel
          </button>
        </div>
      )}
      {pending && production && (
        <form
          className="mt-2 space-y-2 rounded border border-rose-300 bg-rose-50 p-3 text-sm dark:border-rose-800 dark:bg-rose-950"
          data-testid="typed-confirmation"
          onSubmit={(event: FormEvent) => {
            event.preventDefault();
            if (typed === env) void go(pending);
          }}
        >
          <label className="block">
            {pending.what} in <strong>{env}</strong>: type <span className="font-mono">{env}</span> to confirm
            <input
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              autoFocus
              aria-label={`Type ${env} to confirm`}
              className={`${field} mt-1 block w-full`}
            />
          </label>
          <div className="flex gap-2">
            <button type="submit" disabled={typed !== env} className={danger}>
              Confirm
            </button>
            <button type="button" onClick={cancel} className={safe}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {busy && (
        <p role="status" className="mt-1 text-xs">
          Sending…
        </p>
      )}
      {outcome && (
        <p
          role={outcome.ok ? 'status' : 'alert'}
          data-testid="action-outcome"
          className={`mt-1 text-xs ${outcome.ok ? 'text-emerald-800 dark:text-emerald-200' : 'text-rose-700 dark:text-rose-300'}`}
        >
          {outcome.text}
          {outcome.ok && outcome.follow && (
            <>
              {' '}
              ·{' '}
              <a href={outcome.follow} className="underline">
                follow the run
              </a>
            </>
          )}
          {outcome.ok && outcome.link && (
            <>
              {' '}
              ·{' '}
              <a href={outcome.link} className="underline">
                the run on GitHub
              </a>
            </>
          )}
        </p>
      )}
    </>
  );
  return { start, panel, disabled: !ready || busy || pending !== null };
}

function Controls({ children, label }: { children: ReactNode; label: string }) {
  return (
    <div role="group" aria-label={label} className="flex flex-wrap items-center gap-2">
      {children}
    </div>
  );
}

const api = (env: string, path: string) => `/api/environments/${encodeURIComponent(env)}${path}`;

/** Redeploy and scale one service (the environment page, the service page). */
export function ServiceActions({
  target,
  service,
  desired,
  bounds,
}: {
  target: ActionTarget;
  service: string;
  desired: number;
  bounds: [number, number] | null;
}) {
  const action = useConfirmedAction(target);
  const [count, setCount] = useState(String(desired));
  const url = api(target.env, `/services/${service}`);
  return (
    <div data-testid={`actions-${service}`}>
      <Controls label={`${service} actions`}>
        <button
          type="button"
          className={safe}
          disabled={action.disabled}
          onClick={() =>
            action.start({ url, body: { action: 'redeploy' }, what: `Redeploying ${service}`, destructive: false })
          }
        >
          Redeploy
        </button>
        <form
          className="flex items-center gap-1"
          onSubmit={(e) => {
            e.preventDefault();
            action.start({
              url,
              body: { action: 'scale', desiredCount: Number(count) },
              what: `Scaling ${service} to ${count}`,
              destructive: false,
            });
          }}
        >
          <label className="text-sm">
            <span className="sr-only">Desired count for {service}</span>
            <input
              type="number"
              min={bounds?.[0]}
              max={bounds?.[1]}
              step={1}
              value={count}
              onChange={(e) => setCount(e.target.value)}
              className={`${field} w-20`}
            />
          </label>
          <button type="submit" className={safe} disabled={action.disabled}>
            Scale
          </button>
        </form>
      </Controls>
      {action.panel}
    </div>
  );
}

/** Roll a service back to one of its listed revisions, with the reason (the service page). */
export function RollbackAction({
  target,
  service,
  current,
  revisions,
  digests,
  initialRevision,
}: {
  target: ActionTarget;
  service: string;
  current: TaskDefinitionRevision | null;
  revisions: TaskDefinitionRevision[];
  digests: Record<string, string>;
  initialRevision?: number;
}) {
  const action = useConfirmedAction(target);
  const [revision, setRevision] = useState(
    revisions.find((r) => r.revision === initialRevision)?.revision ?? revisions[0]?.revision ?? 0,
  );
  const [reason, setReason] = useState('');
  const chosen = revisions.find((r) => r.revision === revision);
  if (revisions.length === 0) return null;
  return (
    <div data-testid="rollback">
      <form
        className="flex flex-wrap items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          action.start({
            url: api(target.env, `/services/${service}`),
            body: { action: 'rollback', revision, reason },
            what: `Rolling ${service} back to :${revision}`,
            destructive: true,
          });
        }}
      >
        <label className="flex flex-col text-sm">
          Revision
          <select value={revision} onChange={(e) => setRevision(Number(e.target.value))} className={field}>
            {revisions.map((r) => (
              <option key={r.revision} value={r.revision}>
                :{r.revision} · {r.containers.map((c) => shortTag(c.tag) ?? c.image).join(', ')}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-1 flex-col text-sm">
          Reason (required)
          <input
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            required
            minLength={3}
            className={field}
            placeholder="what went wrong"
          />
        </label>
        <button type="submit" className={danger} disabled={action.disabled || reason.trim().length < 3}>
          Roll back
        </button>
      </form>
      {current && chosen && <RollbackPreview current={current} target={chosen} digests={digests} />}
      {action.panel}
    </div>
  );
}

/** What the rollback changes, shown with the confirmation: images and digests, CPU/memory, variable and secret names. */
function RollbackPreview({
  current,
  target,
  digests,
}: {
  current: TaskDefinitionRevision;
  target: TaskDefinitionRevision;
  digests: Record<string, string>;
}) {
  const diff = diffRevisions(current, target, (c) => (c.tag ? (digests[c.tag] ?? null) : null));
  const names = (label: string, changes: { added: string[]; removed: string[] }) =>
    [
      changes.removed.length > 0 && `${label} removed: ${changes.removed.join(', ')}`,
      changes.added.length > 0 && `${label} added: ${changes.added.join(', ')}`,
    ]
      .filter(Boolean)
      .join('; ');
  return (
    <div
      data-testid="rollback-preview"
      className="mt-2 rounded border border-amber-300 bg-amber-50 px-3 py-2 text-xs dark:border-amber-800 dark:bg-amber-950"
    >
      <p className="font-medium">
        :{current.revision} (running) → :{target.revision}
        {diff.identical && <span className="font-normal">: the same images and settings (a restart, in effect)</span>}
      </p>
      <ul className="mt-1 space-y-0.5">
        {diff.containers.map((c) => (
          <li key={c.name} data-container={c.name} className="space-y-0.5">
            {c.presence !== 'both' && (
              <span className="block">
                container <strong>{c.name}</strong> {c.presence === 'added' ? 'comes back' : 'goes away'}
              </span>
            )}
            {c.image && (
              <span className="block" data-change="image">
                <strong>{c.name}</strong> image <Code>{imageLabel(c.image.from)}</Code> →{' '}
                <Code>{imageLabel(c.image.to)}</Code>
              </span>
            )}
            {c.digest && (
              <span className="block" data-change="digest">
                <strong>{c.name}</strong> digest <Code>{c.digest.from?.slice(0, 19) ?? 'unknown'}</Code> →{' '}
                <Code>{c.digest.to?.slice(0, 19) ?? 'unknown'}</Code>
              </span>
            )}
            {names('environment', c.environment) && (
              <span className="block" data-change="environment">
                <strong>{c.name}</strong> {names('environment', c.environment)}
              </span>
            )}
            {names('secrets', c.secrets) && (
              <span className="block" data-change="secrets">
                <strong>{c.name}</strong> {names('secrets', c.secrets)}
              </span>
            )}
          </li>
        ))}
        {diff.cpu && (
          <li data-change="cpu">
            CPU <Code>{diff.cpu.from ?? '—'}</Code> → <Code>{diff.cpu.to ?? '—'}</Code>
          </li>
        )}
        {diff.memory && (
          <li data-change="memory">
            memory <Code>{diff.memory.from ?? '—'}</Code> → <Code>{diff.memory.to ?? '—'}</Code> MiB
          </li>
        )}
      </ul>
    </div>
  );
}

function Code({ children }: { children: ReactNode }) {
  return <span className="font-mono">{children}</span>;
}

/** A commit-SHA tag is shown as its first 12 characters (what people compare by eye). */
function shortTag(tag: string | null): string | null {
  return tag && /^[0-9a-f]{40}$/.test(tag) ? tag.slice(0, 12) : tag;
}

function imageLabel(image: string | null): string {
  if (!image) return 'none';
  const tag = /:([^:/@]+)$/.exec(image)?.[1];
  return tag ? shortTag(tag)! : image.split('/').pop()!;
}

/** Pause or resume a queue, retry all its failed jobs (the queue page). */
export function QueueActions({
  target,
  queue,
  paused,
  failed,
}: {
  target: ActionTarget;
  queue: string;
  paused: boolean;
  failed: number;
}) {
  const action = useConfirmedAction(target);
  const url = api(target.env, `/queues/${encodeURIComponent(queue)}`);
  return (
    <div data-testid="queue-actions">
      <Controls label={`${queue} queue actions`}>
        <button
          type="button"
          className={paused ? safe : danger}
          disabled={action.disabled}
          onClick={() =>
            action.start({
              url,
              body: { action: paused ? 'resume' : 'pause' },
              what: `${paused ? 'Resuming' : 'Pausing'} ${queue}`,
              destructive: !paused,
            })
          }
        >
          {paused ? 'Resume' : 'Pause'}
        </button>
        <button
          type="button"
          className={safe}
          disabled={action.disabled || failed === 0}
          onClick={() =>
            action.start({
              url,
              body: { action: 'retry-failed' },
              what: `Retrying ${failed} failed jobs of ${queue}`,
              destructive: false,
            })
          }
        >
          Retry all failed
        </button>
      </Controls>
      {action.panel}
    </div>
  );
}

/** Retry or remove one failed job (the job page); for a job in any other state both are disabled, saying why. */
export function JobActions({
  target,
  queue,
  job,
  failed,
}: {
  target: ActionTarget;
  queue: string;
  job: string;
  failed: boolean;
}) {
  const action = useConfirmedAction(target);
  const url = api(target.env, `/queues/${encodeURIComponent(queue)}/jobs/${encodeURIComponent(job)}`);
  return (
    <div data-testid="job-actions">
      <Controls label={`job ${job} actions`}>
        {!failed && <span className={`text-xs ${MUTED}`}>Only a failed job can be retried or removed.</span>}
        <button
          type="button"
          className={safe}
          disabled={action.disabled || !failed}
          onClick={() =>
            action.start({ url, body: { action: 'retry' }, what: `Retrying job ${job}`, destructive: false })
          }
        >
          Retry
        </button>
        <button
          type="button"
          className={danger}
          disabled={action.disabled || !failed}
          onClick={() =>
            action.start({ url, body: { action: 'remove' }, what: `Removing job ${job}`, destructive: true })
          }
        >
          Remove
        </button>
      </Controls>
      {action.panel}
    </div>
  );
}

/** Deploy a git ref, optionally as an existing image (the deploys page), after a preview of what it changes. */
export function DeployForm({ target, imageTags }: { target: ActionTarget; imageTags: string[] }) {
  const action = useConfirmedAction(target);
  const [ref, setRef] = useState('main');
  const [imageTag, setImageTag] = useState('');
  const [preview, setPreview] = useState<PreviewState | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = imageTag ? { ref, imageTag } : { ref };
    setPreview({ state: 'loading' });
    const loaded = await loadDeployPreview(target.env, body);
    setPreview(loaded);
    // A ref GitHub does not know is refused here; any other failure still lets the operator decide.
    if (loaded.state === 'failed' && loaded.refused) return;
    action.start({
      url: api(target.env, '/deploys'),
      body,
      what: `Deploying ${ref}${imageTag ? ` (image ${shortTag(imageTag)})` : ''}`,
      destructive: false,
    });
  };
  return (
    <div data-testid="deploy-form" className="px-4 py-3">
      <form className="flex flex-wrap items-end gap-2" onSubmit={(e) => void submit(e)}>
        <label className="flex flex-col text-sm">
          Git ref
          <input
            value={ref}
            onChange={(e) => {
              setRef(e.target.value);
              setPreview(null);
            }}
            required
            className={`${field} font-mono`}
          />
        </label>
        <label className="flex flex-col text-sm">
          Image (optional)
          <select
            value={imageTag}
            onChange={(e) => {
              setImageTag(e.target.value);
              setPreview(null);
            }}
            className={`${field} font-mono`}
          >
            <option value="">build from the ref</option>
            {imageTags.map((tag) => (
              <option key={tag} value={tag}>
                {shortTag(tag)}
              </option>
            ))}
          </select>
        </label>
        <button
          type="submit"
          className={safe}
          disabled={action.disabled || ref.trim() === '' || preview?.state === 'loading'}
        >
          Deploy
        </button>
      </form>
      {preview && <DeployPreviewPanel preview={preview} />}
      {action.panel}
    </div>
  );
}

type PreviewState =
  | { state: 'loading' }
  | { state: 'ready'; preview: DeployPreview }
  | { state: 'failed'; message: string; refused: boolean };

async function loadDeployPreview(env: string, body: { ref: string; imageTag?: string }): Promise<PreviewState> {
  try {
    const response = await fetch(`${api(env, '/deploys/preview')}?${new URLSearchParams(body)}`, {
      headers: { accept: 'application/json' },
    });
    const answer = (await response.json()) as DeployPreview & { error?: { message: string } };
    if (!response.ok)
      return {
        state: 'failed',
        message: answer.error?.message ?? `failed (${response.status})`,
        refused: response.status === 400,
      };
    return { state: 'ready', preview: answer };
  } catch (err) {
    return { state: 'failed', message: `the control plane did not answer: ${(err as Error).message}`, refused: false };
  }
}

const COMPARISON: Record<RefComparison['status'], (c: RefComparison) => string> = {
  ahead: (c) => `${c.aheadBy} new commit${c.aheadBy === 1 ? '' : 's'}`,
  behind: (c) => `goes back ${c.behindBy} commit${c.behindBy === 1 ? '' : 's'} (running commits it does not have)`,
  diverged: (c) =>
    `${c.aheadBy} commit${c.aheadBy === 1 ? '' : 's'} not running, and drops ${c.behindBy} running commit${c.behindBy === 1 ? '' : 's'} it lacks`,
  identical: () => 'the same commit that runs now',
};

/** The commits a deploy brings (GitHub's compare against what runs) and whether its image exists. */
function DeployPreviewPanel({ preview }: { preview: PreviewState }) {
  if (preview.state === 'loading')
    return (
      <p role="status" className="mt-2 text-xs">
        Comparing with what runs…
      </p>
    );
  if (preview.state === 'failed')
    return (
      <p role="alert" data-testid="deploy-preview-problem" className="mt-2 text-xs text-rose-700 dark:text-rose-300">
        No preview: {preview.message}
      </p>
    );
  const { ref, sha, live, comparison, comparisonProblem, image } = preview.preview;
  const warn = comparison && comparison.status !== 'ahead';
  return (
    <div
      data-testid="deploy-preview"
      data-status={comparison?.status ?? 'unknown'}
      className={`mt-2 rounded border px-3 py-2 text-xs ${warn ? 'border-amber-300 bg-amber-50 dark:border-amber-800 dark:bg-amber-950' : 'border-sky-200 bg-sky-50 dark:border-sky-900 dark:bg-sky-950'}`}
    >
      <p>
        <span className="font-mono">{ref}</span> is <span className="font-mono">{sha.slice(0, 12)}</span>; running
        {live.revision !== null && <> :{live.revision}</>}{' '}
        <span className="font-mono">{live.imageTag ? shortTag(live.imageTag) : 'unknown'}</span>:{' '}
        <strong data-testid="deploy-preview-summary">
          {comparison ? COMPARISON[comparison.status](comparison) : comparisonProblem}
        </strong>
      </p>
      {comparison && comparison.commits.length > 0 && (
        <ol className="mt-1 max-h-48 space-y-0.5 overflow-y-auto" aria-label="Commits the deploy brings">
          {comparison.commits.map((c) => (
            <li key={c.sha} data-commit={c.sha}>
              <a href={c.url} className="font-mono underline-offset-2 hover:underline">
                {c.sha.slice(0, 7)}
              </a>{' '}
              {c.subject} <span className={`${MUTED}`}>· {c.author ?? 'unknown'}</span>
            </li>
          ))}
        </ol>
      )}
      {comparison && comparison.aheadBy > comparison.commits.length && (
        <p className="mt-1">
          <a href={comparison.url} className="underline">
            and {comparison.aheadBy - comparison.commits.length} more on GitHub
          </a>
        </p>
      )}
      <p className="mt-1" data-testid="deploy-image" data-exists={image.exists}>
        Image <span className="font-mono">{shortTag(image.tag)}</span>:{' '}
        {image.exists
          ? 'already in ECR, deployed without a build'
          : preview.preview.image.tag === sha
            ? 'not in ECR yet: the workflow builds it first (minutes)'
            : 'not in ECR: this deploy will be refused'}
      </p>
    </div>
  );
}
