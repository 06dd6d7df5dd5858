/** The Terraform, parsed offline (HCL → JSON with @cdktf/hcl2json), for tests that hold code against it. */
import { parse } from '@cdktf/hcl2json';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoPath } from '../../scripts/platform';

export type Block = Record<string, unknown>;
export type Hcl = {
  resource?: Record<string, Record<string, Block[]>>;
  data?: Record<string, Record<string, Block[]>>;
  variable?: Record<string, Block[]>;
  output?: Record<string, Block[]>;
  module?: Record<string, Block[]>;
  locals?: Block[];
  terraform?: Block[];
};

export const INFRA = repoPath('infrastructure');

/** Every .tf file of a directory, merged as Terraform merges them. */
export async function loadHcl(dir: string): Promise<Hcl> {
  const merged: Hcl = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.tf'))) {
    const json = (await parse(file, readFileSync(path.join(dir, file), 'utf8'))) as Hcl;
    for (const [kind, value] of Object.entries(json)) {
      const target = merged as Record<string, unknown>;
      if (Array.isArray(value)) target[kind] = [...((target[kind] as unknown[]) ?? []), ...value];
      else target[kind] = deepMerge((target[kind] as Record<string, unknown>) ?? {}, value as Record<string, unknown>);
    }
  }
  return merged;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b))
    out[k] =
      k in out && !Array.isArray(v) && typeof v === 'object'
        ? deepMerge(out[k] as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  return out;
}

export const loadModule = (name: string) => loadHcl(path.join(INFRA, 'modules', name));

/** An environment's <name>.tfvars (flat `key = "string"` lines only; enough for the names tests need). */
export function rootStringVars(environment: string): Record<string, string> {
  const text = readFileSync(path.join(INFRA, 'environments', `${environment}.tfvars`), 'utf8');
  return Object.fromEntries([...text.matchAll(/^(\w+)\s*=\s*"([^"]*)"\s*$/gm)].map((m) => [m[1], m[2]]));
}

/** Replaces `${var.x}` and `${local.x}` (string locals) in a Terraform string. */
export function interpolate(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{(var|local)\.(\w+)\}/g, (whole, _kind: string, name: string) => vars[name] ?? whole);
}

/** An environment's <name>.tfvars, parsed as HCL (numbers, maps and lists included). */
export async function loadTfvars(environment: string): Promise<Record<string, unknown>> {
  const file = path.join(INFRA, 'environments', `${environment}.tfvars`);
  return (await parse(`${environment}.tfvars`, readFileSync(file, 'utf8'))) as Record<string, unknown>;
}
