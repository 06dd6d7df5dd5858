/** The service's environment variables were refused at start: names the variables, never their values. */
export class InvalidConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidConfigError';
  }
}
