/** A navigation that got no response at all (Chromium's own failure): retried. */
export class NoResponseError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NoResponseError';
  }
}
