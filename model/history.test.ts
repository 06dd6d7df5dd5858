import { describe, expect, it } from 'vitest';
import { exitClass, stopsPerDay } from './history';
import type { HistoricalStop } from './schemas/history';

const stop = (stoppedAt: string, exitCode: number | null, stopCode = 'EssentialContainerExited'): HistoricalStop => ({
  taskArn: `arn:aws:ecs:eu-west-1:1:task/c/${stoppedAt}`,
  taskId: stoppedAt,
  role: 'api',
  taskDefinition: null,
  deploymentId: null,
  startedAt: null,
  stoppedAt,
  stopCode,
  stoppedReason: null,
  containers: [{ name: 'api', exitCode, reason: null }],
});

describe('exit codes per day', () => {
  it('classes a stop by its essential container’s exit code', () => {
    expect(exitClass(stop('2026-12-05T00:00:00Z', 137))).toBe('oom');
    expect(exitClass(stop('2026-12-05T00:00:00Z', 1))).toBe('error');
    expect(exitClass(stop('2026-12-05T00:00:00Z', 0, 'ServiceSchedulerInitiated'))).toBe('clean');
    expect(exitClass(stop('2026-12-05T00:00:00Z', null, 'TaskFailedToStart'))).toBe('other');
  });

  it('counts each UTC day of the window, oldest first, and leaves out what is older', () => {
    const now = Date.parse('2026-12-05T12:00:00Z');
    const days = stopsPerDay(
      [
        stop('2026-12-05T11:00:00Z', 137),
        stop('2026-12-05T01:00:00Z', 137),
        stop('2026-12-04T23:59:59Z', 1),
        stop('2026-11-01T00:00:00Z', 137), // before the 30 days
      ],
      now,
    );
    expect(days).toHaveLength(30);
    expect(days[0].day).toBe('2026-11-06');
    expect(days.at(-1)).toMatchObject({ day: '2026-12-05', total: 2, counts: { oom: 2 } });
    expect(days.at(-2)).toMatchObject({ day: '2026-12-04', total: 1, counts: { error: 1 } });
    expect(days.reduce((sum, d) => sum + d.total, 0)).toBe(3);
  });
});
