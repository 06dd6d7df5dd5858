'use client';

/** A render that failed outright (each part's own failures show inside the page instead). */
export default function EnvironmentError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div
      role="alert"
      className="space-y-3 rounded-lg border border-rose-300 bg-rose-50 p-4 text-rose-900 dark:border-rose-800 dark:bg-rose-950 dark:text-rose-100"
    >
      <p className="font-semibold">This page could not be shown.</p>
      <p className="text-sm">{error.digest ? `Error reference ${error.digest} (in the server log).` : error.message}</p>
      <button
        type="button"
        onClick={reset}
        className="rounded border border-rose-400 px-3 py-1 text-sm font-medium focus-visible:outline-2"
      >
        Try again
      </button>
    </div>
  );
}
