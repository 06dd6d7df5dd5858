'use client';
/** "Is it keeping up?": per queue rates and drain time, the workers' capacity, and the loud signals. */
import {
  formatDrain,
  formatRate,
  keepingUp,
  workerCapacity,
  type KeepingUp,
  type Trend,
  type WorkerCapacity,
} from '@/model/keeping-up';
import { useSnapshotPart } from './live/live-environment';
import { Badge, type Tone, MUTED } from './ui';

const TREND: Record<Trend, { tone: Tone; label: string }> = {
  idle: { tone: 'good', label: 'nothing waiting' },
  draining: { tone: 'good', label: 'keeping up' },
  steady: { tone: 'warn', label: 'not shrinking' },
  growing: { tone: 'bad', label: 'falling behind' },
  unknown: { tone: 'neutral', label: 'no rate yet' },
};

/** The environment's keeping-up view, live: one entry per queue and the worker service's capacity. */
export function useKeepingUp(): { capacity: WorkerCapacity | null; queues: Map<string, KeepingUp> } {
  const ecs = useSnapshotPart('ecs');
  const scaling = useSnapshotPart('scaling');
  const queues = useSnapshotPart('queues');
  const capacity = workerCapacity({ ecs, scaling, queues });
  return { capacity, queues: new Map((queues.value ?? []).map((q) => [q.name, keepingUp(q, capacity)])) };
}

export function CapacityLine({ capacity }: { capacity: WorkerCapacity | null }) {
  if (!capacity) return null;
  const over = capacity.targetPerTask !== null && capacity.backlogPerTask > capacity.targetPerTask;
  return (
    <p className={`text-xs ${MUTED}`} data-testid="worker-capacity">
      Jobs waiting per worker task{' '}
      <span
        className={`font-medium tabular-nums ${over ? 'text-amber-800 dark:text-amber-300' : 'text-slate-900 dark:text-slate-100'}`}
        data-value="backlog-per-task"
      >
        {capacity.backlogPerTask.toFixed(1)}
      </span>
      {capacity.targetPerTask !== null && <> (autoscaling target {capacity.targetPerTask})</>} · {capacity.running}{' '}
      worker task{capacity.running === 1 ? '' : 's'} running
      {capacity.max !== null && <> of at most {capacity.max}</>}
    </p>
  );
}

export function KeepingUpLine({ k }: { k: KeepingUp }) {
  const trend = TREND[k.trend];
  return (
    <p
      className="flex flex-wrap items-center gap-x-1.5 text-xs text-slate-700 dark:text-slate-300"
      data-testid="keeping-up"
      data-trend={k.trend}
    >
      <Badge tone={trend.tone}>{trend.label}</Badge>
      {k.arrivedPerMinute !== null && k.finishedPerMinute !== null ? (
        <span className="tabular-nums">
          in {formatRate(k.arrivedPerMinute)} · out {formatRate(k.finishedPerMinute)}
        </span>
      ) : (
        <span>{k.noRatesBecause}</span>
      )}
      {k.trend === 'draining' && k.drainMinutes !== null && (
        <span data-testid="drain-time">· drains in {formatDrain(k.drainMinutes)}</span>
      )}
      {k.workers !== null && (
        <span>
          · {k.workers} worker{k.workers === 1 ? '' : 's'}
        </span>
      )}
    </p>
  );
}

/** The signals an on-call person must not miss, loud: jobs nobody takes, a backlog growing at the ceiling. */
export function QueueSignal({ k }: { k: KeepingUp }) {
  if (!k.signal) return null;
  const loud = k.signal.kind !== 'paused';
  return (
    <p
      role={loud ? 'alert' : undefined}
      data-testid="queue-signal"
      data-signal={k.signal.kind}
      className={`rounded px-2 py-1 text-xs font-medium ${loud ? 'bg-rose-700 text-white dark:bg-rose-600' : 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200'}`}
    >
      {k.signal.message}
    </p>
  );
}
