// Prints a package.json for the platform's services only: the runtime dependencies that
// worker/ imports, with the versions the root package.json pins. The Dockerfile installs
// from it, so the images carry neither Next.js nor dev tooling. A test checks that every
// package worker/ imports is listed here.
import { readFileSync } from 'node:fs';

export const SERVICE_DEPENDENCIES = [
  '@aws-sdk/client-cloudwatch',
  '@aws-sdk/client-s3',
  '@fastify/rate-limit',
  'bullmq',
  'fastify',
  'fastify-type-provider-zod',
  'ioredis',
  'ipaddr.js',
  'pino',
  'playwright-core',
  'zod',
];

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = JSON.parse(readFileSync(process.argv[2] ?? 'package.json', 'utf8'));
  const dependencies = Object.fromEntries(SERVICE_DEPENDENCIES.map((name) => [name, root.dependencies[name]]));
  const missing = Object.entries(dependencies)
    .filter(([, version]) => !version)
    .map(([name]) => name);
  if (missing.length) throw new Error(`not in package.json dependencies: ${missing.join(', ')}`);
  process.stdout.write(
    `${JSON.stringify({ name: 'pilothouse-services', private: true, type: 'module', dependencies }, null, 2)}\n`,
  );
}
