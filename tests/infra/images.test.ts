/** The Dockerfile and compose file, checked statically (no Docker engine runs here). */
import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoPath } from '../../scripts/platform';
import { SERVICE_DEPENDENCIES } from '../../scripts/bin/service-deps.mjs';

const dockerfileText = readFileSync(repoPath('Dockerfile'), 'utf8');
const dockerfile = DockerfileParser.parse(dockerfileText);
const lines = dockerfileText.split('\n');
const stage = (name: string) => {
  const found = dockerfile.getFROMs().find((f) => f.getBuildStage() === name);
  if (!found) throw new Error(`no stage ${name}`);
  const from = found.getRange().start.line;
  const next =
    dockerfile
      .getFROMs()
      .map((f) => f.getRange().start.line)
      .filter((l) => l > from)
      .sort((a, b) => a - b)[0] ?? Infinity;
  return dockerfile.getInstructions().filter((i) => i.getRange().start.line >= from && i.getRange().start.line < next);
};
const args = (instructions: ReturnType<typeof stage>, keyword: string) =>
  instructions.filter((i) => i.getKeyword() === keyword).map((i) => i.getArgumentsContent() ?? '');

describe('Dockerfile', () => {
  it('has no lint errors or warnings (dockerfile-utils, the VS Code Docker linter)', () => {
    // LSP severities: 1 error, 2 warning (3 and 4 are information and hints).
    const problems = validate(dockerfileText).filter((d) => d.severity === 1 || d.severity === 2);
    expect(problems.map((p) => `${p.range.start.line + 1}: ${p.message}`)).toEqual([]);
  });

  for (const [target, entry] of [
    ['api', 'dist/worker/main-api.js'],
    ['worker', 'dist/worker/main-worker.js'],
  ] as const) {
    it(`the ${target} target runs ${entry} as a non-root user, without dev dependencies`, () => {
      const instructions = stage(target);
      expect(args(instructions, 'USER')).toEqual(['node']);
      expect(args(instructions, 'CMD')).toEqual([`["node", "${entry}"]`]);
      const copies = instructions.filter((i) => i.getKeyword() === 'COPY').map((i) => lines[i.getRange().start.line]);
      expect(copies).toContain('COPY --from=service-deps /app/node_modules node_modules');
      const pkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8'));
      expect(pkg.scripts[`start:${target}`]).toBe(`node ${entry}`);
    });
  }

  it('health-checks the api on the ALB path, and gives the worker Debian Chromium', () => {
    expect(args(stage('api'), 'HEALTHCHECK').join('')).toContain('/api/health/');
    expect(args(stage('worker'), 'RUN').join('')).toMatch(/apt-get install .*chromium/);
    expect(args(stage('worker'), 'ENV').join('')).toContain('CHROMIUM_PATH=/usr/bin/chromium');
  });

  it('installs every package the services import, and only those', () => {
    const imported = new Set<string>();
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = path.join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) {
          for (const m of readFileSync(p, 'utf8').matchAll(/from '([^'.][^']*)'/g)) {
            const spec = m[1];
            if (spec.startsWith('node:')) continue;
            imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
          }
        }
      }
    };
    walk(repoPath('worker'));
    expect([...imported].sort()).toEqual([...SERVICE_DEPENDENCIES].sort());
  });
});
