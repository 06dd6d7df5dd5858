import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The import boundaries (eslint.config.mjs) hold: a module that crosses one fails `npm run
 * lint`. Each case lints a line as if it were written in that folder, through the project's own
 * ESLint config, and expects the boundary rule to refuse it; the control cases are allowed.
 */
const root = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function refusals(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const x = y;\n`, { filePath: path.join(root, file) });
  return result.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

describe('import boundaries', () => {
  it.each([
    ['components/probe.tsx', "import { getRedis as y } from '@/lib/redis';", 'server-only'],
    ['components/live/probe.tsx', "import { log as y } from '../../lib/log';", 'server-only'],
    ['model/probe.ts', "import { getConfig as y } from '@/lib/config';", 'server-only'],
    ['worker/probe.ts', "import { getEnvironment as y } from '../lib/environments.js';", 'contracts/'],
    ['contracts/probe.ts', "import { status as y } from '@/model/status';", 'contracts/'],
    ['lib/probe.ts', "import { Card as y } from '@/components/ui';", 'never import up'],
    ['lib/probe.ts', "import { DescribeServicesCommand as y } from '@aws-sdk/client-ecs';", 'lib/aws/'],
    ['lib/probe.ts', "import { Octokit as y } from '@octokit/rest';", 'lib/github.ts'],
    ['app/probe.ts', "import { Redis as y } from 'ioredis';", 'Redis modules'],
    ['lib/probe.ts', "import { startSeededPlatform as y } from '../scripts/platform';", 'scripts/'],
    ['lib/probe.ts', "import { PROCESSORS as y } from '../worker/processors/index.js';", 'contracts/'],
  ])('refuses, in %s: %s', async (file, code, says) => {
    const messages = await refusals(file, code);
    expect(messages.length, messages.join('\n')).toBe(1);
    expect(messages[0]).toContain(says);
  });

  it.each([
    ['components/probe.tsx', "import type { SignedInUser as y } from '@/lib/auth';"],
    ['components/probe.tsx', "import { formatAge as y } from './format';"],
    ['worker/probe.ts', "import { QUEUE_NAMES as y } from '../contracts/platform.js';"],
    ['lib/aws/probe.ts', "import { ECSClient as y } from '@aws-sdk/client-ecs';"],
    ['lib/probe.ts', "import { environmentStatus as y } from '@/model/status';"],
  ])('allows, in %s: %s', async (file, code) => {
    expect(await refusals(file, code)).toEqual([]);
  });
});
