/**
 * "Is it keeping up?" per queue: arrival against finish rate, the time the backlog needs to
 * drain at those rates, the backlog per worker task against the autoscaling target (the
 * `backlog / tasks` of contracts/platform.ts), and the two signals that must be loud: jobs wait and
 * no worker is connected, or the backlog grows while the worker service is at its maximum.
 * Pure and browser-safe: the status rules (server) and the panels (browser) use the same.
 */
import type { SnapshotParts } from './schemas/snapshot';
import type { QueueStats } from './schemas/queue';

export type WorkerCapacity = {
  running: number;
  desired: number;
  /** The scalable target's bounds (null without autoscaling). */
  min: number | null;
  max: number | null;
  /** The target-tracking policy's target: jobs waiting per running task. */
  targetPerTask: number | null;
  /** Jobs waiting (all queues, as the worker publishes Pilothouse/QueueBacklog) per running task. */
  backlogPerTask: number;
};

export type Trend = 'idle' | 'draining' | 'steady' | 'growing' | 'unknown';
export type Signal = { kind: 'no-consumer' | 'growing-at-max' | 'paused'; message: string };

export type KeepingUp = {
  queue: string;
  /** Jobs not yet started: waiting and prioritized (what the worker's metric counts). */
  backlog: number;
  arrivedPerMinute: number | null;
  finishedPerMinute: number | null;
  /** Why there are no rates yet, when there are none. */
  noRatesBecause: string | null;
  /** Minutes until nothing waits at the current rates; 0 when nothing waits; null when it does not shrink or is unknown. */
  drainMinutes: number | null;
  trend: Trend;
  workers: number | null;
  signal: Signal | null;
};

/** Rates closer than this (jobs per minute, or 5% of the larger) count as equal: steady. */
const STEADY_MARGIN = 0.1;

export function backlogOf(queue: QueueStats): number {
  return queue.counts.waiting + queue.counts.prioritized;
}

type Parts = { [P in 'ecs' | 'scaling' | 'queues']: { value: SnapshotParts[P]['value'] } };

/** The worker service's size, bounds and backlog per task, from the snapshot's ECS, scaling and queue parts. */
export function workerCapacity(snapshot: Parts): WorkerCapacity | null {
  const worker = snapshot.ecs.value?.services.find((s) => s.role === 'worker');
  if (!worker) return null;
  const scaling = snapshot.scaling.value?.worker ?? null;
  const policy = scaling?.policies.find((p) => p.targetValue !== null) ?? null;
  const backlog = (snapshot.queues.value ?? []).reduce((sum, q) => sum + backlogOf(q), 0);
  return {
    running: worker.runningCount,
    desired: worker.desiredCount,
    min: scaling?.minCapacity ?? null,
    max: scaling?.maxCapacity ?? null,
    targetPerTask: policy?.targetValue ?? null,
    // As WORKER_BACKLOG_PER_TASK_EXPRESSION: backlog / IF(tasks > 0, tasks, 1).
    backlogPerTask: backlog / (worker.runningCount > 0 ? worker.runningCount : 1),
  };
}

export function keepingUp(queue: QueueStats, capacity: WorkerCapacity | null): KeepingUp {
  const backlog = backlogOf(queue);
  const arrived = queue.rates?.arrivedPerMinute ?? null;
  const finished = queue.rates?.finishedPerMinute ?? null;
  let trend: Trend = 'unknown';
  let drainMinutes: number | null = null;
  if (backlog === 0) {
    trend = 'idle';
    drainMinutes = 0;
  } else if (arrived !== null && finished !== null) {
    const net = finished - arrived;
    const margin = Math.max(STEADY_MARGIN, 0.05 * Math.max(arrived, finished));
    if (net > margin) {
      trend = 'draining';
      drainMinutes = backlog / net;
    } else trend = net < -margin ? 'growing' : 'steady';
  }

  let signal: Signal | null = null;
  if (backlog > 0 && queue.paused)
    signal = { kind: 'paused', message: `paused with ${backlog} job${backlog === 1 ? '' : 's'} waiting` };
  else if (backlog > 0 && queue.workers === 0)
    signal = {
      kind: 'no-consumer',
      message: `${backlog} job${backlog === 1 ? '' : 's'} wait and no worker is connected`,
    };
  else if (trend === 'growing' && capacity && capacity.max !== null && capacity.running >= capacity.max) {
    signal = {
      kind: 'growing-at-max',
      message: `the backlog grows by ${formatRate(arrived! - finished!)} and the worker service is at its maximum of ${capacity.max} task${capacity.max === 1 ? '' : 's'}`,
    };
  }
  const noRatesBecause = queue.rates
    ? null
    : queue.finishedTotal === null
      ? 'no job finished yet'
      : 'rates after half a minute of watching';
  return {
    queue: queue.name,
    backlog,
    arrivedPerMinute: arrived,
    finishedPerMinute: finished,
    noRatesBecause,
    drainMinutes,
    trend,
    workers: queue.workers,
    signal,
  };
}

export function formatRate(perMinute: number): string {
  return perMinute >= 10 ? `${Math.round(perMinute)}/min` : `${perMinute.toFixed(1)}/min`;
}

export function formatDrain(minutes: number): string {
  if (minutes < 1) return 'under a minute';
  if (minutes < 90) return `${Math.round(minutes)} min`;
  return `${(minutes / 60).toFixed(1)} h`;
}
