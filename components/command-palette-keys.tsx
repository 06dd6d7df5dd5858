'use client';
/**
 * The keys that jump anywhere: Ctrl-K or ⌘K opens the command palette (loaded on first use, so
 * no page's first load carries it); `/` focuses the page's search field, or opens the palette
 * where the page has none. Neither fires while typing in a field.
 */
import { lazy, Suspense, useEffect, useState } from 'react';

export type PaletteEnvironment = { name: string; production: boolean; queues: string[] };

const CommandPalette = lazy(() => import('./command-palette'));

function typing(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  return !!element && (element.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(element.tagName));
}

export function CommandPaletteKeys({ environments }: { environments: PaletteEnvironment[] }) {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.key === 'k' || event.key === 'K') && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        setOpen((was) => !was);
      } else if (event.key === '/' && !typing(event.target) && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        const search = document.querySelector<HTMLInputElement>('[role="search"] input');
        if (search) search.focus();
        else setOpen(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        className="hidden rounded border border-slate-300 px-2 py-0.5 text-xs text-slate-600 hover:bg-slate-100 sm:inline dark:border-slate-600 dark:text-slate-300 dark:hover:bg-slate-800"
        aria-keyshortcuts="Control+K Meta+K"
        data-testid="palette-button"
      >
        Jump to… <kbd className="font-sans">Ctrl K</kbd>
      </button>
      {open && (
        <Suspense fallback={null}>
          <CommandPalette environments={environments} onClose={() => setOpen(false)} />
        </Suspense>
      )}
    </>
  );
}
