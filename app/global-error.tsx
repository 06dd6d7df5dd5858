'use client';
/**
 * When the root layout itself fails (each page and part shows its own errors inside the layout).
 * Our own, and plain: Next's built-in one ships its styles and icons in every page's first load.
 */
export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', margin: '3rem auto', maxWidth: '32rem', padding: '0 1rem' }}>
        <h1>Pilothouse could not be shown</h1>
        <p>{error.digest ? `Error reference ${error.digest} (in the server log).` : 'An unexpected error occurred.'}</p>
        <button type="button" onClick={reset}>
          Try again
        </button>
      </body>
    </html>
  );
}
