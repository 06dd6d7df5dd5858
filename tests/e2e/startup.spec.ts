import { expect, test } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, repoPath } from '../../scripts/platform';

/** Runs `next start` (production) with this environment until it exits; its code and output. */
async function startUntilExit(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [repoPath('node_modules/next/dist/bin/next'), 'start', '-H', '127.0.0.1', '-p', String(port)],
    {
      cwd: repoPath(),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(timer);
  return { code, output };
}

function without(env: NodeJS.ProcessEnv, names: string[]): NodeJS.ProcessEnv {
  const rest = { ...env };
  for (const name of names) delete rest[name];
  return rest;
}

test('the control plane refuses to start on a bad registry and names the field', async () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'pilothouse-bad-')), 'environments.json');
  writeFileSync(file, JSON.stringify({ environments: [{ name: 'staging', aws: { region: 'nowhere' } }] }));

  const { code, output } = await startUntilExit({
    ...without(process.env, ['PILOTHOUSE_ENVIRONMENTS']),
    PILOTHOUSE_ENVIRONMENTS_FILE: file,
  });

  expect(code).toBe(1);
  expect(output).toContain('environments[0].aws.region: must be an AWS region');
  expect(output).toContain('environments[0].ecs: required');
});

test('a production start without its secrets stops at once and names each one', async () => {
  const file = process.env.PILOTHOUSE_E2E_REGISTRY_FILE!; // a valid registry: only the secrets are missing
  const secrets = [
    'PILOTHOUSE_ENVIRONMENTS',
    'REDIS_URL',
    'GITHUB_TOKEN',
    'GITHUB_APP_ID',
    'GITHUB_APP_PRIVATE_KEY',
    'GITHUB_APP_INSTALLATION_ID',
    'NEXTAUTH_SECRET',
    'NEXTAUTH_URL',
    'GITHUB_OAUTH_CLIENT_ID',
    'GITHUB_OAUTH_CLIENT_SECRET',
    'VERCEL',
  ];

  const { code, output } = await startUntilExit({
    ...without(process.env, secrets),
    PILOTHOUSE_ENVIRONMENTS_FILE: file,
    GITHUB_APP_ID: '12345',
  });

  expect(code).toBe(1);
  expect(output).toContain('pilothouse: REDIS_URL is not set (required in production)');
  // A half-configured GitHub App names exactly what it lacks.
  expect(output).toContain('pilothouse: GITHUB_APP_PRIVATE_KEY is not set (required in production)');
  expect(output).toContain('pilothouse: GITHUB_APP_INSTALLATION_ID is not set (required in production)');
  // Sign-in: without these nobody could sign in, or sessions could be forged.
  for (const name of ['NEXTAUTH_SECRET', 'NEXTAUTH_URL', 'GITHUB_OAUTH_CLIENT_ID', 'GITHUB_OAUTH_CLIENT_SECRET']) {
    expect(output).toContain(`pilothouse: ${name} is not set (required in production)`);
  }
});
