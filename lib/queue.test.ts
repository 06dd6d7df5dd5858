import { describe, expect, it } from 'vitest';
import { perMinuteSeries } from './queue';

/**
 * BullMQ's collectMetrics (moveToFinished): the hash keeps `count` (jobs so far), and
 * `prevCount`/`prevTS` as of the last point pushed; when a job finishes in a later minute
 * than prevTS, the jobs since then (count - prevCount, this job excluded) are LPUSHed as the
 * point of prevTS's minute, with a zero for each idle minute in between.
 */
const MIN = 60_000;
const at = (minute: number, second = 0) => minute * MIN + second * 1000;

describe('perMinuteSeries', () => {
  it('counts the open minute of the last point once it is over, and every idle minute after it as zero', () => {
    // Points for minutes 97, 98, 99 (newest first); 4 jobs since in minute 100; now in minute 103.
    const series = perMinuteSeries(['3', '5', '2'], ['14', '10', String(at(100, 20))], at(103, 30));
    expect(series).toEqual([2, 5, 3, 4, 0, 0]); // minutes 97..102, oldest first
  });

  it('leaves the current minute out while it is still open', () => {
    const series = perMinuteSeries(['3', '5'], ['12', '10', String(at(100, 5))], at(100, 50));
    expect(series).toEqual([5, 3]); // minutes 98, 99: minute 100 is not over
  });

  it('shows nothing for a queue whose jobs have never finished', () => {
    expect(perMinuteSeries([], [null, null, null], at(100))).toEqual([]);
  });

  it('keeps at most the configured number of minutes, the newest', () => {
    const series = perMinuteSeries(Array(60).fill('1'), ['0', '0', String(at(1000))], at(1100));
    expect(series).toHaveLength(60);
    expect(series.every((n) => n === 0)).toBe(true); // a hundred idle minutes: all zero
  });
});
