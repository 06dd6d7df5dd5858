/**
 * The local platform, as a library: what `npm run demo`, `npm run bench` and the tests start
 * and drive (redis-server, the AWS emulator with our extension, the GitHub stand-in, the
 * seeded environments, the platform's own services, the Terraform applied to the emulator).
 * Tests import this index, never the files behind it.
 */
export * from './demo-repository';
export * from './github-standin';
export * from './live-viewers';
export * from './local-platform';
export * from './log-forwarder';
export * from './seed';
export * from './seeded-platform';
export * from './services';
export * from './sign-in';
export * from './target-site';
export * from './terraform-emulator';
