/**
 * The cache's background work, kept so a test can wait for it: pass `background` to createCache,
 * then `await settled()` where the test used to sleep "long enough" for a refresh to land.
 */
export function backgroundWork(): { background: (work: Promise<unknown>) => void; settled: () => Promise<void> } {
  const pending: Promise<unknown>[] = [];
  return {
    background: (work) => {
      pending.push(work);
    },
    settled: async () => {
      while (pending.length) await Promise.allSettled(pending.splice(0));
    },
  };
}
