'use client';
import { useEffect, useState } from 'react';
import { formatAge } from './format';

/** The current time, updated every `everyMs`: for ages that keep counting between updates. */
export function useNow(everyMs = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
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
    <time dateTime={iso} title={date.toLocaleString()} suppressHydrationWarning className="tabular-nums">
      {formatAge(Math.max(0, now - date.getTime()))}
      {suffix}
    </time>
  );
}
