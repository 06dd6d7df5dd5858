'use client';
/**
 * The browser tab tells the on-call person from the background: its title starts with the
 * worst status of the environments on the page, and its icon carries the environment's colour
 * (production's is never staging's) with a dot in the status's colour. Every live environment
 * on a page reports here; the worst one wins.
 */
import { useEffect } from 'react';
import type { StatusVerdict } from '@/model/schemas/snapshot';
import { useEnvironmentStatus, useSnapshot } from './live-environment';

type Status = StatusVerdict['status'];
const SEVERITY: Record<Status, number> = { healthy: 0, degraded: 1, down: 2 };
const DOT: Record<Status, string> = { healthy: '#16a34a', degraded: '#f59e0b', down: '#dc2626' };
const PREFIX: Record<Status, string> = { healthy: '', degraded: '▲ degraded · ', down: '■ DOWN · ' };
/** The overview shows several environments: its icon takes a neutral colour. */
const NEUTRAL = '#0f172a';

const reported = new Map<string, { status: Status; colour: string }>();

export function faviconSvg(colour: string, status: Status): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="${colour}"/><path d="M16 6v20M6 16h20" stroke="#fff" stroke-width="3" stroke-linecap="round"/><circle cx="24" cy="24" r="7.5" fill="${DOT[status]}" stroke="#fff" stroke-width="2"/></svg>`;
}

function apply() {
  if (typeof document === 'undefined') return;
  const title = document.title.replace(/^(▲ degraded|■ DOWN) · /, '');
  const entries = [...reported.values()];
  const setTitle = (next: string) => {
    if (document.title !== next) document.title = next; // an equal write would still wake the observer below
  };
  if (entries.length === 0) {
    setTitle(title);
    return;
  }
  const worst = entries.reduce((a, b) => (SEVERITY[b.status] > SEVERITY[a.status] ? b : a));
  setTitle(`${PREFIX[worst.status]}${title}`);
  const colour = entries.length === 1 ? worst.colour : NEUTRAL;
  let link = document.querySelector<HTMLLinkElement>('link[rel="icon"][data-status]');
  if (!link) {
    // Next renders its own <link rel=icon>; ours goes after it, and the last one wins.
    link = document.createElement('link');
    link.rel = 'icon';
    link.type = 'image/svg+xml';
    document.head.appendChild(link);
  }
  link.dataset.status = worst.status;
  link.dataset.colour = colour;
  link.href = `data:image/svg+xml,${encodeURIComponent(faviconSvg(colour, worst.status))}`;
}

export function TabStatus() {
  const { status } = useEnvironmentStatus();
  const { name, colour } = useSnapshot().environment;
  useEffect(() => {
    reported.set(name, { status, colour });
    apply();
    // Next sets the title again on navigation: put the status back in front of it.
    const observer = new MutationObserver(apply);
    const titleElement = document.querySelector('title');
    if (titleElement) observer.observe(titleElement, { childList: true });
    return () => {
      observer.disconnect();
      reported.delete(name);
      apply();
    };
  }, [name, status, colour]);
  return null;
}
