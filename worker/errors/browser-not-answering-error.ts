/** Chromium stopped answering (it can wedge without exiting): the browser is replaced. */
export class BrowserNotAnsweringError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BrowserNotAnsweringError';
  }
}
