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
