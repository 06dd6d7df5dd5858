/**
 * The UI primitives every page uses, so a panel reads as structure, not class strings:
 * Card, Badge, Table pieces, the empty/error/loading states, muted text, links, breadcrumbs and
 * the rollout badge.
 */
import Link from 'next/link';
import { Fragment, type ComponentProps, type ReactNode } from 'react';
import { RANGES, type RangeName } from '@/model/ranges';

export function Card({
  title,
  actions,
  children,
  className = '',
  testId,
}: {
  title?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
  testId?: string;
}) {
  return (
    <section
      data-testid={testId}
      className={`min-w-0 rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900 ${className}`}
    >
      {(title || actions) && (
        <header className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-200 px-4 py-2.5 dark:border-slate-800">
          <h2 className="text-sm font-semibold">{title}</h2>
          {actions}
        </header>
      )}
      {children}
    </section>
  );
}

export type Tone = 'neutral' | 'good' | 'info' | 'warn' | 'bad' | 'prod';
const TONES: Record<Tone, string> = {
  neutral: 'bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-200',
  good: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-100',
  info: 'bg-sky-100 text-sky-800 dark:bg-sky-900/60 dark:text-sky-100',
  warn: 'bg-amber-100 text-amber-900 dark:bg-amber-900/60 dark:text-amber-100',
  bad: 'bg-rose-100 text-rose-800 dark:bg-rose-900/60 dark:text-rose-100',
  prod: 'bg-amber-400 text-amber-950 dark:bg-amber-500 dark:text-amber-950',
};

export function Badge({ tone = 'neutral', children, testId }: { tone?: Tone; children: ReactNode; testId?: string }) {
  return (
    <span
      data-testid={testId}
      className={`inline-flex items-center rounded px-1.5 py-0.5 text-xs font-medium ${TONES[tone]}`}
    >
      {children}
    </span>
  );
}

export const th = 'px-3 py-2 text-left text-xs font-medium uppercase tracking-wide text-slate-600 dark:text-slate-400';
export const thNum = `${th} text-right`;
export const td = 'px-3 py-2 align-top';
export const tdNum = `${td} text-right tabular-nums`;

export function Table({ caption, children }: { caption: string; children: ReactNode }) {
  return (
    <div className="overflow-x-auto" tabIndex={0} role="region" aria-label={caption}>
      <table className="w-full text-sm">
        <caption className="sr-only">{caption}</caption>
        {children}
      </table>
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="px-4 py-3 text-sm text-slate-600 dark:text-slate-400">{children}</p>;
}

export function Loading({ label }: { label: string }) {
  return (
    <p role="status" aria-live="polite" className="animate-pulse px-4 py-3 text-sm text-slate-600 dark:text-slate-400">
      Loading {label}…
    </p>
  );
}

/** A tiny inline trend (the overview's requests, a queue's throughput); the charts proper are uPlot. */
export function Sparkline({ values, label }: { values: number[]; label: string }) {
  if (values.length < 2) return null;
  const max = Math.max(1, ...values);
  const points = values.map((v, i) => `${(i / (values.length - 1)) * 100},${20 - (v / max) * 18}`).join(' ');
  return (
    <svg
      role="img"
      aria-label={label}
      viewBox="0 0 100 20"
      preserveAspectRatio="none"
      className="h-6 w-full text-sky-600 dark:text-sky-400"
    >
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" vectorEffect="non-scaling-stroke" />
    </svg>
  );
}

/** The control plane's own Redis is unreachable: what that means for what the page shows. */
export function SharedCacheDown({ message }: { message: string }) {
  return (
    <p
      role="status"
      data-testid="shared-cache-down"
      className="rounded-md border border-amber-300 bg-amber-50 px-4 py-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
    >
      {message}. This server reads AWS and GitHub directly until it is back, and live updates wait for it; other
      instances may show other ages.
    </p>
  );
}

/** Secondary text: details, units, hints. One tone in both themes (AA contrast on the cards). */
export const MUTED = 'text-slate-600 dark:text-slate-400';

export function Muted({
  children,
  className = '',
  testId,
}: {
  children: ReactNode;
  className?: string;
  testId?: string;
}) {
  return (
    <span data-testid={testId} className={`${MUTED} ${className}`}>
      {children}
    </span>
  );
}

/** An in-app link, in the one link style (size and weight from `className`). */
export function TextLink({ className = '', ...props }: ComponentProps<typeof Link>) {
  return (
    <Link {...props} className={`text-sky-700 underline-offset-2 hover:underline dark:text-sky-300 ${className}`} />
  );
}

/** Where a page sits: Environments / the environment / what else leads here / the page. */
export function Breadcrumbs({
  environment,
  links = [],
  current,
}: {
  environment?: string;
  links?: { label: ReactNode; href: string }[];
  current: ReactNode;
}) {
  const trail = [
    { label: 'Environments', href: '/' },
    ...(environment ? [{ label: environment, href: `/environments/${encodeURIComponent(environment)}` }] : []),
    ...links,
  ];
  return (
    <nav aria-label="Breadcrumb" className={`text-sm ${MUTED}`}>
      {trail.map((crumb) => (
        <Fragment key={crumb.href}>
          <Link href={crumb.href} className="underline-offset-2 hover:underline">
            {crumb.label}
          </Link>{' '}
          /{' '}
        </Fragment>
      ))}
      {current}
    </nav>
  );
}

const ROLLOUT_TONES: Record<string, Tone> = { COMPLETED: 'good', IN_PROGRESS: 'info', FAILED: 'bad' };

/** An ECS deployment's rollout state, in the same colours wherever it is shown. */
export function RolloutBadge({ state }: { state: string }) {
  return <Badge tone={ROLLOUT_TONES[state] ?? 'neutral'}>{state.toLowerCase().replace('_', ' ')}</Badge>;
}

export type Column = string | { label: string; numeric?: boolean; className?: string };

/** A table's header row: each column's label, right-aligned when it holds numbers (a column's className replaces the default). */
export function TableHead({ columns, className }: { columns: Column[]; className?: string }) {
  return (
    <thead className={className}>
      <tr>
        {columns.map((column) => {
          const { label, numeric = false, className: cell } = typeof column === 'string' ? { label: column } : column;
          return (
            <th key={label} scope="col" className={cell ?? (numeric ? thNum : th)}>
              {label}
            </th>
          );
        })}
      </tr>
    </thead>
  );
}

/** A page's title line: what it shows, where (muted), the production badge, and whatever else the page puts beside them. */
export function PageHeader({
  title,
  subtitle,
  production,
  children,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  production: boolean;
  children?: ReactNode;
}) {
  return (
    <header className="flex flex-wrap items-center gap-3">
      <h1 className="text-xl font-semibold">
        {title}
        {subtitle && <span className={`font-normal ${MUTED}`}> {subtitle}</span>}
      </h1>
      {production && (
        <span data-testid="production-badge">
          <Badge tone="prod">production</Badge>
        </span>
      )}
      {children}
    </header>
  );
}

/** The range switch of a chart or the timeline: one link per range, the current one marked (the range lives in the URL). */
export function RangeLinks({
  label,
  current,
  href,
  scroll,
  className = '',
}: {
  label: string;
  current: RangeName;
  href: (range: RangeName) => string;
  scroll?: boolean;
  className?: string;
}) {
  return (
    <nav aria-label={label} className={`flex gap-1 text-xs ${className}`}>
      {(Object.keys(RANGES) as RangeName[]).map((name) => (
        <Link
          key={name}
          href={href(name)}
          scroll={scroll}
          aria-current={name === current ? 'page' : undefined}
          className="rounded px-2 py-0.5 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-sky-600 aria-[current=page]:bg-slate-800 aria-[current=page]:text-white dark:hover:bg-slate-800 dark:aria-[current=page]:bg-slate-200 dark:aria-[current=page]:text-slate-900"
        >
          {name}
        </Link>
      ))}
    </nav>
  );
}

/** A panel's list as a table: its header, a row per item, or the empty state when there is none. */
export function ListTable<T>({
  caption,
  columns,
  items,
  empty,
  children,
}: {
  caption: string;
  columns: Column[];
  items: T[];
  empty: ReactNode;
  children: (item: T) => ReactNode;
}) {
  if (items.length === 0) return <Empty>{empty}</Empty>;
  return (
    <Table caption={caption}>
      <TableHead columns={columns} />
      <tbody className="divide-y divide-slate-100 dark:divide-slate-800">{items.map(children)}</tbody>
    </Table>
  );
}
