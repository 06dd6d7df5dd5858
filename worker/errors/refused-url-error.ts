/**
 * A refused URL. The message is safe to show the caller: it names the host and the kind of
 * address, never the address a hostname resolved to (that would let anyone map internal DNS
 * through the api); `resolvedAddress` is for the logs only.
 */
export class RefusedUrlError extends Error {
  constructor(
    message: string,
    /** What the hostname resolved to (or why it did not): for the logs only. */
    readonly resolvedAddress?: string,
  ) {
    super(message);
    this.name = 'RefusedUrlError';
  }
}
