/**
 * A vitest reporter for `npm test`'s stage table: the projects of one run overlap (vitest.config.ts),
 * so each project's time is its span, from its first file's start to its last file's end, with
 * when it started (seconds into the run) and how many seconds its files ran in all. Appends one line per project to the file named by
 * PILOTHOUSE_STAGE_TIMES (scripts/bin/test.sh prints them); without it, prints nothing.
 */
import { appendFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

type Span = { start: number; end: number; fileSeconds: number; files: number };

export default class ProjectTimes implements Reporter {
  private readonly spans = new Map<string, Span>();
  private readonly started = new Map<string, number>();
  private runStarted = Date.now();

  onTestRunStart(): void {
    this.runStarted = Date.now();
  }

  onTestModuleStart(module: TestModule): void {
    this.started.set(module.moduleId, Date.now());
  }

  onTestModuleEnd(module: TestModule): void {
    const end = Date.now();
    const start = this.started.get(module.moduleId) ?? end;
    const span = this.spans.get(module.project.name) ?? { start, end, fileSeconds: 0, files: 0 };
    span.start = Math.min(span.start, start);
    span.end = Math.max(span.end, end);
    span.fileSeconds += (end - start) / 1000;
    span.files += 1;
    this.spans.set(module.project.name, span);
  }

  onTestRunEnd(): void {
    const file = process.env.PILOTHOUSE_STAGE_TIMES;
    if (!file) return;
    const lines = [...this.spans]
      .sort(([, a], [, b]) => a.start - b.start)
      .map(([name, span]) => {
        const files = `${span.files} file${span.files === 1 ? '' : 's'}`;
        const from = Math.round((span.start - this.runStarted) / 1000);
        const label = `  vitest project ${name} (${files}, ${Math.round(span.fileSeconds)} s of files, from ${from} s)`;
        return `${label.padEnd(60)} ${String(Math.round((span.end - span.start) / 1000)).padStart(5)} s\n`;
      });
    appendFileSync(file, lines.join(''));
  }
}
