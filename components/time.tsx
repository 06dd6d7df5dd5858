'use client';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { formatDuration, formatTime } from './format';

/**
 * The time the server rendered the page: the first client render uses it too, so relative
 * times read the same on both sides (no hydration mismatch); after that the clock runs.
 */
const RenderedAt = createContext<number | null>(null);

export function RenderedAtProvider({ at, children }: { at: number; children: ReactNode }) {
  return <RenderedAt.Provider value={at}>{children}</RenderedAt.Provider>;
}

/** The current time, updated every `everyMs`: for ages that keep counting between updates. */
export function useNow(everyMs = 1_000): number {
  const renderedAt = useContext(RenderedAt);
  const [now, setNow] = useState(() => renderedAt ?? Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** "3m ago", with the absolute time on hover (and for screen readers, in the datetime). */
export function RelativeTime({ iso, suffix = ' ago' }: { iso: string | null; suffix?: string }) {
  const now = useNow();
  if (!iso) return <span>—</span>;
  const date = new Date(iso);
  return (
    <time dateTime={iso} title={formatTime(date)} suppressHydrationWarning className="tabular-nums">
      {`${formatDuration(Math.max(0, now - date.getTime()))}${suffix}`}
    </time>
  );
}
