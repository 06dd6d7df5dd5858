/** A job ran past JOB_TIMEOUT_MS: retried with backoff, as any transient failure. */
export class JobTimeoutError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'JobTimeoutError';
  }
}
