/**
 * Settles with `work`, or rejects with the error `timedOut` makes after `ms`; the timer is
 * cleared either way. (`work` itself is not cancelled: callers abort it by their own means.)
 */
export function withTimeout<T>(work: Promise<T>, ms: number, timedOut: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(timedOut()), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
