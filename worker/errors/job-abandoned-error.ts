/** A processor that did not wind down within its grace after an abort: its slot is freed. */
export class JobAbandonedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'JobAbandonedError';
  }
}
