import { describe, expect, it } from 'vitest';
import { keepingUp, type WorkerCapacity } from './keeping-up';
import type { QueueStats } from './schemas/queue';

const queue = (over: Partial<QueueStats> & { waiting?: number } = {}): QueueStats => ({
  name: 'pdf',
  paused: false,
  oldestWaitingAgeMs: null,
  completedPerMinute: [],
  failedPerMinute: [],
  workers: 2,
  finishedTotal: 0,
  rates: null,
  counts: {
    waiting: over.waiting ?? 0,
    active: 0,
    delayed: 0,
    prioritized: 0,
    waitingChildren: 0,
    completed: 0,
    failed: 0,
  },
  ...over,
});
const capacity = (running: number, max: number): WorkerCapacity => ({
  running,
  desired: running,
  min: 1,
  max,
  targetPerTask: 10,
  backlogPerTask: 0,
});

/** The truth for a constant-rate model: minutes of simulated time until nothing waits. */
function simulateDrain(backlog: number, arrivedPerMinute: number, finishedPerMinute: number): number {
  let left = backlog;
  let seconds = 0;
  while (left > 0) {
    left += (arrivedPerMinute - finishedPerMinute) / 60;
    seconds += 1;
  }
  return seconds / 60;
}

describe('keepingUp', () => {
  it('estimates the drain time within 10% of a simulated drain, for generated backlogs and rates', () => {
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 50; i++) {
      const backlog = 20 + Math.floor(random() * 2000);
      const finished = 5 + random() * 200;
      const arrived = finished * (0.1 + random() * 0.8); // always draining
      const estimate = keepingUp(
        queue({
          waiting: backlog,
          rates: { arrivedPerMinute: arrived, finishedPerMinute: finished, windowSeconds: 300 },
        }),
        null,
      );
      const truth = simulateDrain(backlog, arrived, finished);
      expect(estimate.trend).toBe('draining');
      expect(
        Math.abs(estimate.drainMinutes! - truth) / truth,
        JSON.stringify({ backlog, arrived, finished }),
      ).toBeLessThan(0.1);
    }
  });

  it('says growing, steady or idle instead of a drain time when the backlog does not shrink', () => {
    const rates = (arrivedPerMinute: number, finishedPerMinute: number) => ({
      arrivedPerMinute,
      finishedPerMinute,
      windowSeconds: 300,
    });
    expect(keepingUp(queue({ waiting: 50, rates: rates(30, 20) }), null)).toMatchObject({
      trend: 'growing',
      drainMinutes: null,
    });
    expect(keepingUp(queue({ waiting: 50, rates: rates(20, 20.5) }), null)).toMatchObject({
      trend: 'steady',
      drainMinutes: null,
    });
    expect(keepingUp(queue({ waiting: 0, rates: rates(5, 5) }), null)).toMatchObject({
      trend: 'idle',
      drainMinutes: 0,
    });
    expect(keepingUp(queue({ waiting: 9 }), null)).toMatchObject({ trend: 'unknown', drainMinutes: null });
  });

  it('raises no-consumer when jobs wait and no worker is connected, but not for a paused queue or unknown workers', () => {
    expect(keepingUp(queue({ waiting: 3, workers: 0 }), null).signal).toEqual({
      kind: 'no-consumer',
      message: '3 jobs wait and no worker is connected',
    });
    expect(keepingUp(queue({ waiting: 3, workers: 0, paused: true }), null).signal?.kind).toBe('paused');
    expect(keepingUp(queue({ waiting: 3, workers: null }), null).signal).toBeNull();
    expect(keepingUp(queue({ waiting: 0, workers: 0 }), null).signal).toBeNull();
  });

  it('raises growing-at-max only when the worker service has reached its maximum', () => {
    const growing = queue({ waiting: 80, rates: { arrivedPerMinute: 40, finishedPerMinute: 25, windowSeconds: 300 } });
    expect(keepingUp(growing, capacity(10, 10)).signal).toEqual({
      kind: 'growing-at-max',
      message: 'the backlog grows by 15/min and the worker service is at its maximum of 10 tasks',
    });
    expect(keepingUp(growing, capacity(4, 10)).signal).toBeNull(); // autoscaling still has room
  });
});
