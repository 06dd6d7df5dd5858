/**
 * Runs once when the server starts: check the configuration, the environment registry and
 * the production secrets now, so a bad or missing one stops `next start` with its name
 * instead of failing a page later.
 */
export async function register() {
  // Next.js's documented switch: register() also runs for the edge runtime, which has no fs.
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { startupProblems } = await import('./lib/startup');
    const problems = startupProblems();
    if (problems.length > 0) {
      // Next only logs a failing register() and serves anyway; a control plane that cannot
      // work must not serve, so stop here with every reason.
      for (const problem of problems) console.error(`pilothouse: ${problem}`);
      process.exit(1);
    }
  }
}
