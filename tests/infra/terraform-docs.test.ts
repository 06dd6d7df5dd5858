import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoPath } from '../../scripts/platform';
import { INFRA } from '../support/hcl';

/**
 * Every module and root has a README whose inputs and outputs are what its variables and
 * outputs say today: terraform-docs (scripts/bin/ensure-tools.sh) checks each against the code
 * (`--output-check` fails on a stale README); `npm run docs:terraform` rewrites them.
 */
const TERRAFORM_DOCS = repoPath('.tools', 'bin', 'terraform-docs');
const DIRS = [...readdirSync(path.join(INFRA, 'modules')).map((m) => `modules/${m}`), 'environments', 'bootstrap'];

describe('Terraform READMEs', () => {
  it('terraform-docs is installed (scripts/bin/ensure-tools.sh --infra builds it)', () => {
    expect(existsSync(TERRAFORM_DOCS), TERRAFORM_DOCS).toBe(true);
  });

  it.each(DIRS)('%s: its README has an example, and its inputs and outputs as the code has them', (dir) => {
    const result = spawnSync(
      TERRAFORM_DOCS,
      ['--config', path.join(INFRA, '.terraform-docs.yml'), '--output-check', path.join(INFRA, dir)],
      { encoding: 'utf8' },
    );
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
    expect(readFileSync(path.join(INFRA, dir, 'README.md'), 'utf8')).toMatch(/^## Example\n\n```(hcl|sh)\n/m);
  });
});
