import { expect, test } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, ROOT } from '../../scripts/local-platform';

test('the control plane refuses to start on a bad registry and names the field', async () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'pilothouse-bad-')), 'environments.json');
  writeFileSync(file, JSON.stringify({ environments: [{ name: 'staging', aws: { region: 'nowhere' } }] }));
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(ROOT, 'node_modules/next/dist/bin/next'), 'start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: ROOT,
    env: { ...withoutRegistry(process.env), PILOTHOUSE_ENVIRONMENTS_FILE: file },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(timer);

  expect(code).toBe(1);
  expect(output).toContain('environments[0].aws.region: must be an AWS region');
  expect(output).toContain('environments[0].ecs: required');
});

function withoutRegistry(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const rest = { ...env };
  delete rest.PILOTHOUSE_ENVIRONMENTS;
  return rest;
}

test('a production start without its secrets stops at once and names each one', async () => {
  const file = process.env.PILOTHOUSE_E2E_REGISTRY_FILE!; // a valid registry: only the secrets are missing
  const port = await freePort();
  const env = withoutRegistry(process.env);
  for (const name of ['REDIS_URL', 'GITHUB_TOKEN', 'GITHUB_APP_ID', 'GITHUB_APP_PRIVATE_KEY', 'GITHUB_APP_INSTALLATION_ID']) delete env[name];
  const child = spawn(process.execPath, [path.join(ROOT, 'node_modules/next/dist/bin/next'), 'start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: ROOT,
    env: { ...env, PILOTHOUSE_ENVIRONMENTS_FILE: file, GITHUB_APP_ID: '12345' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(timer);

  expect(code).toBe(1);
  expect(output).toContain('pilothouse: REDIS_URL is not set (required in production)');
  // A half-configured GitHub App names exactly what it lacks.
  expect(output).toContain('pilothouse: GITHUB_APP_PRIVATE_KEY is not set (required in production)');
  expect(output).toContain('pilothouse: GITHUB_APP_INSTALLATION_ID is not set (required in production)');
});
