'use client';
/**
 * Jump anywhere: an environment, its timeline, deploys, a service, a queue, or a job by id (or
 * host, or URL) through the environment's job search. Type to filter; ↑/↓ choose; Enter goes;
 * Esc closes. A listbox in a modal dialog, as the ARIA authoring practices describe a combobox.
 */
import { useRouter } from 'next/navigation';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { SERVICE_ROLES } from '@/contracts/platform';
import type { PaletteEnvironment } from './command-palette-keys';
import { MUTED } from './ui';

type Item = { id: string; label: string; hint: string; href: string };

function places(environments: PaletteEnvironment[]): Item[] {
  return environments.flatMap((env) => {
    const base = `/environments/${encodeURIComponent(env.name)}`;
    const tag = env.production ? `${env.name} (production)` : env.name;
    return [
      { id: `${env.name}`, label: env.name, hint: 'environment', href: base },
      {
        id: `${env.name}/timeline`,
        label: `${env.name} timeline`,
        hint: 'what changed, on one time axis',
        href: `${base}/timeline`,
      },
      {
        id: `${env.name}/deploys`,
        label: `${env.name} deploys`,
        hint: 'runs and ECS deployments',
        href: `${base}/deploys`,
      },
      ...SERVICE_ROLES.map((role) => ({
        id: `${env.name}/services/${role}`,
        label: `${role} in ${env.name}`,
        hint: `service · ${tag}`,
        href: `${base}/services/${role}`,
      })),
      ...env.queues.map((queue) => ({
        id: `${env.name}/queues/${queue}`,
        label: `${queue} queue in ${env.name}`,
        hint: `queue · ${tag}`,
        href: `${base}/queues/${encodeURIComponent(queue)}`,
      })),
    ];
  });
}

export default function CommandPalette({
  environments,
  onClose,
}: {
  environments: PaletteEnvironment[];
  onClose: () => void;
}) {
  const router = useRouter();
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const listId = useId();
  const all = useMemo(() => places(environments), [environments]);
  const items = useMemo(() => {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    const matched = all.filter((item) => words.every((w) => `${item.label} ${item.hint}`.toLowerCase().includes(w)));
    // Anything typed may be a job id, host or URL: offer the job search of each environment.
    const jobs: Item[] = query.trim()
      ? environments.map((env) => ({
          id: `job:${env.name}`,
          label: `Find job “${query.trim()}” in ${env.name}`,
          hint: 'job id, host or URL',
          href: `/environments/${encodeURIComponent(env.name)}/jobs?q=${encodeURIComponent(query.trim())}`,
        }))
      : [];
    return [...matched.slice(0, 12), ...jobs];
  }, [all, environments, query]);

  // What had focus before the palette opened (read at the first render, before the input takes it): it gets it back.
  const [previous] = useState(() =>
    typeof document === 'undefined' ? null : (document.activeElement as HTMLElement | null),
  );
  useEffect(() => {
    input.current?.focus();
    return () => previous?.focus?.();
  }, [previous]);

  const go = (item: Item | undefined) => {
    if (!item) return;
    onClose();
    router.push(item.href);
  };
  const current = Math.min(active, Math.max(0, items.length - 1));

  return (
    <div
      className="fixed inset-0 z-50 flex items-start justify-center bg-slate-900/40 px-4 pt-[12vh]"
      onMouseDown={(e) => e.target === e.currentTarget && onClose()}
    >
      <div
        role="dialog"
        aria-modal="true"
        aria-label="Jump to"
        className="w-full max-w-xl overflow-hidden rounded-lg bg-white shadow-2xl dark:bg-slate-900"
        data-testid="command-palette"
      >
        <input
          ref={input}
          role="combobox"
          aria-expanded="true"
          aria-controls={listId}
          aria-activedescendant={items[current] ? `${listId}-${current}` : undefined}
          aria-label="Environment, service, queue, job id, host or URL"
          placeholder="Go to an environment, service, queue, or a job id…"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') setActive((i) => Math.min(i + 1, items.length - 1));
            else if (e.key === 'ArrowUp') setActive((i) => Math.max(i - 1, 0));
            else if (e.key === 'Enter') go(items[current]);
            else if (e.key === 'Escape') onClose();
            else if (e.key !== 'Tab') return; // the dialog is modal: Tab stays in it (the options follow the arrows)
            e.preventDefault();
          }}
          className="w-full border-b border-slate-200 bg-transparent px-4 py-3 text-base outline-none dark:border-slate-700"
        />
        <ul id={listId} role="listbox" aria-label="Places" className="max-h-96 overflow-y-auto py-1">
          {items.map((item, i) => (
            <li
              key={item.id}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === current}
              data-href={item.href}
              onMouseMove={() => setActive(i)}
              onClick={() => go(item)}
              className="flex cursor-pointer items-baseline justify-between gap-3 px-4 py-2 text-sm aria-selected:bg-sky-100 dark:aria-selected:bg-sky-900"
            >
              <span className="truncate">{item.label}</span>
              <span className={`shrink-0 text-xs ${MUTED}`}>{item.hint}</span>
            </li>
          ))}
          {items.length === 0 && <li className={`px-4 py-2 text-sm ${MUTED}`}>Nothing matches.</li>}
        </ul>
      </div>
    </div>
  );
}
