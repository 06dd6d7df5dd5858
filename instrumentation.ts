/**
 * Runs once when the server starts: load and validate the environment registry now, so
 * a bad config stops `next start` with the field named instead of failing a page later.
 */
export async function register() {
  // Next.js's documented switch: register() also runs for the edge runtime, which has no fs.
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { loadRegistry } = await import('./lib/environments');
    try {
      loadRegistry();
    } catch (err) {
      // Next only logs a failing register() and serves anyway; a control plane with no
      // valid registry must not serve, so stop here with the reason.
      console.error(`pilothouse: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    }
  }
}
