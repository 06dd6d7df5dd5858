/**
 * The one report `npm run bench` prints and writes: every figure with its unit and, where it
 * has one, the ratio it is about (against a target, or against the way we did not build it).
 */
import { writeFileSync } from 'node:fs';

export type Figure = {
  /** What is measured, e.g. "live fan-out". */
  group: string;
  figure: string;
  value: number;
  unit: string;
  /** The ratio this figure is about, and what it is a ratio of. */
  ratio?: number;
  ratioOf?: string;
};

const figures: Figure[] = [];

export function record(figure: Figure): void {
  figures.push(figure);
}

const show = (n: number) =>
  Number.isInteger(n)
    ? String(n)
    : Math.abs(n) >= 100
      ? n.toFixed(0)
      : Math.abs(n) >= 10
        ? n.toFixed(1)
        : Math.abs(n) >= 0.1
          ? n.toFixed(2)
          : n.toPrecision(2);

export function printReport(): void {
  const rows = figures.map((f) => [
    f.group,
    f.figure,
    `${show(f.value)} ${f.unit}`,
    f.ratio === undefined ? '' : `${show(f.ratio)}x`,
    f.ratioOf ?? '',
  ]);
  const header = ['group', 'figure', 'value', 'ratio', 'ratio of'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(`\n${line(header)}\n| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const row of rows) console.log(line(row));
}

export function writeReport(file: string, meta: Record<string, unknown>): void {
  writeFileSync(file, `${JSON.stringify({ ...meta, figures }, null, 2)}\n`);
}
