import { describe, expect, it } from 'vitest';
import type { SnapshotParts } from './schemas/snapshot';
import { environmentStatus, OLDEST_WAITING_DEGRADED_MS } from './status';

const part = <T>(value: T | null, error: string | null = null) => ({
  value,
  fetchedAt: 0,
  ageMs: 0,
  stale: false,
  sharedCacheError: null,
  error: error ? { code: 'upstream_failed' as const, message: error, upstream: 'AWS', requestId: null } : null,
});

function service(role: 'api' | 'worker', desired: number, running: number, failed = false) {
  return {
    role,
    name: role,
    arn: `arn:${role}`,
    status: 'ACTIVE',
    launchType: 'FARGATE',
    desiredCount: desired,
    runningCount: running,
    pendingCount: 0,
    taskDefinition: null,
    rolloutState: 'COMPLETED' as const,
    deploymentCount: 1,
    circuitBreaker: null,
    events: [],
    deployments: failed
      ? [
          {
            id: 'ecs-svc/1',
            status: 'PRIMARY',
            taskDefinition: null,
            desiredCount: desired,
            runningCount: running,
            pendingCount: 0,
            failedTasks: 3,
            rolloutState: 'FAILED' as const,
            rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
            createdAt: null,
            updatedAt: null,
          },
        ]
      : [],
  };
}

function snapshot(changes: Partial<SnapshotParts> = {}): SnapshotParts {
  return {
    environment: { name: 'staging', region: 'eu-west-1', production: false, cluster: 'c', colour: '#0369a1' },
    ecs: part({ services: [service('api', 2, 2), service('worker', 1, 1)], missing: [] }),
    targets: part({
      loadBalancer: { arn: 'lb', name: 'lb', dnsName: null, state: 'active' },
      targetGroups: [
        {
          arn: 'tg',
          name: 'api',
          protocol: 'HTTP',
          port: 8000,
          healthCheck: { path: '/', intervalSeconds: 15, healthyThreshold: 2, unhealthyThreshold: 3 },
          targets: [
            { id: '10.0.0.1', port: 8000, state: 'healthy', reason: null, description: null },
            { id: '10.0.0.2', port: 8000, state: 'healthy', reason: null, description: null },
          ],
        },
      ],
    }),
    queues: part([
      {
        name: 'pdf',
        counts: { waiting: 0, active: 0, delayed: 0, prioritized: 0, waitingChildren: 0, completed: 0, failed: 0 },
        paused: false,
        oldestWaitingAgeMs: null,
        completedPerMinute: [],
        failedPerMinute: [],
        workers: 1,
        finishedTotal: 0,
        rates: null,
      },
    ]),
    metrics: part(null),
    scaling: part(null),
    images: part(null),
    parameters: part([]),
    deployRuns: part([]),
    history: part({ stops: [], deployments: [], stopsSince: '2026-11-05T00:00:00.000Z' }),
    actions: part([]),
    statusChanges: part([]),
    topErrors: part({ from: '2026-12-05T00:00:00.000Z', to: '2026-12-05T00:15:00.000Z', groups: [] }),
    ...changes,
  };
}

describe('environmentStatus', () => {
  it('is healthy when nothing is wrong', () => {
    expect(environmentStatus(snapshot())).toEqual({ status: 'healthy', reasons: [], unrefreshed: [] });
  });

  it('is degraded by an unhealthy target, naming it and its reason', () => {
    const s = snapshot();
    s.targets.value!.targetGroups[0].targets[1] = {
      id: '10.0.0.2',
      port: 8000,
      state: 'unhealthy',
      reason: 'Target.Timeout',
      description: null,
    };
    expect(environmentStatus(s)).toEqual({
      status: 'degraded',
      reasons: ['api: 1 unhealthy target (10.0.0.2: Target.Timeout)'],
      unrefreshed: [],
    });
  });

  it('is down when no target is healthy or a service runs nothing', () => {
    const s = snapshot({ ecs: part({ services: [service('api', 2, 0), service('worker', 1, 1)], missing: [] }) });
    expect(environmentStatus(s)).toMatchObject({ status: 'down', reasons: ['api: no task running of 2 desired'] });
    const t = snapshot();
    t.targets.value!.targetGroups[0].targets.forEach((target) => (target.state = 'unhealthy'));
    expect(environmentStatus(t)).toMatchObject({ status: 'down', reasons: ['api: no healthy target of 2'] });
  });

  it('is degraded by running below desired outside a rollout, a failed deployment, a failed deploy run and an old waiting job', () => {
    const s = snapshot({ ecs: part({ services: [service('api', 3, 2), service('worker', 1, 1, true)], missing: [] }) });
    s.deployRuns = part([
      {
        id: 9,
        runNumber: 12,
        title: 'Deploy main to staging',
        status: 'completed',
        conclusion: 'failure',
        ref: 'main',
        imageTag: null,
        sha: 'abcdef1234',
        actor: 'octocat',
        event: 'workflow_dispatch',
        createdAt: new Date(0).toISOString(),
        startedAt: null,
        durationMs: 1,
        url: 'https://github.com',
      },
    ]);
    s.queues.value![0].oldestWaitingAgeMs = OLDEST_WAITING_DEGRADED_MS;
    const verdict = environmentStatus(s);
    expect(verdict.status).toBe('degraded');
    expect(verdict.reasons).toEqual([
      'api: 2 of 3 tasks running',
      'worker: deployment ecs-svc/1 failed (ECS deployment circuit breaker: tasks failed to start.)',
      'last deploy #12 (main) ended failure',
      'queue pdf: oldest job waiting 5 min',
    ]);
  });

  it('is down when jobs wait and no worker is connected; degraded when the backlog grows with the workers at their maximum', () => {
    const s = snapshot();
    Object.assign(s.queues.value![0], { workers: 0, counts: { ...s.queues.value![0].counts, waiting: 4 } });
    expect(environmentStatus(s)).toMatchObject({
      status: 'down',
      reasons: ['queue pdf: 4 jobs wait and no worker is connected'],
    });

    const t = snapshot({
      scaling: part({
        api: null,
        worker: {
          resourceId: 'service/c/worker',
          minCapacity: 1,
          maxCapacity: 1,
          policies: [{ name: 'backlog', type: 'TargetTrackingScaling', targetValue: 10, metric: null }],
          activities: [],
        },
      }),
    });
    Object.assign(t.queues.value![0], {
      counts: { ...t.queues.value![0].counts, waiting: 40 },
      rates: { arrivedPerMinute: 30, finishedPerMinute: 12, windowSeconds: 300 },
    });
    expect(environmentStatus(t)).toMatchObject({
      status: 'degraded',
      reasons: ['queue pdf: the backlog grows by 18/min and the worker service is at its maximum of 1 task'],
    });
  });

  it('judges the 5xx share of the newest minutes of requests: degraded from 5%, down from 50%, silent on too few requests', () => {
    const metrics = (requests: (number | null)[], errors: (number | null)[]) =>
      part({
        rangeMinutes: 180,
        periodSeconds: 60,
        start: 0,
        series: [
          { id: 'requests' as const, label: 'requests', unit: 'count', values: requests },
          { id: 'target_5xx' as const, label: 'target 5xx', unit: 'count', values: errors },
        ],
      });
    // Old failures (outside the newest 5 minutes) do not count; the trailing empty minute is skipped.
    expect(
      environmentStatus(
        snapshot({ metrics: metrics([100, 100, 100, 100, 100, 100, 100, null], [90, 0, 0, 0, 1, 2, 3, null]) }),
      ).status,
    ).toBe('healthy');
    expect(environmentStatus(snapshot({ metrics: metrics([100, 100, 100, 100, 100], [5, 5, 5, 5, 6]) }))).toMatchObject(
      { status: 'degraded', reasons: ['5.2% of requests answered 5xx in the last 5 min'] },
    );
    expect(environmentStatus(snapshot({ metrics: metrics([100, 100], [60, 70]) }))).toMatchObject({
      status: 'down',
      reasons: ['65% of requests answered 5xx in the last 2 min'],
    });
    expect(environmentStatus(snapshot({ metrics: metrics([3, 4], [3, 4]) })).status).toBe('healthy');
  });

  it('is degraded for half an hour after the circuit breaker rolled a deployment back', () => {
    const now = Date.parse('2026-11-30T12:00:00Z');
    const withEvent = (minutesAgo: number) => {
      const worker = service('worker', 1, 1);
      worker.events = [
        {
          id: 'e1',
          createdAt: new Date(now - minutesAgo * 60_000).toISOString(),
          message: '(service worker) rolling back to deployment ecs-svc/42.',
        },
      ] as never;
      return snapshot({ ecs: part({ services: [service('api', 2, 2), worker], missing: [] }) });
    };
    expect(environmentStatus(withEvent(3), now)).toMatchObject({
      status: 'degraded',
      reasons: ['worker: the circuit breaker rolled a deployment back 3 min ago'],
    });
    expect(environmentStatus(withEvent(31), now).status).toBe('healthy');
  });

  it('is down when ECS cannot be read at all, and says why', () => {
    expect(environmentStatus(snapshot({ ecs: part(null, 'AWS did not answer') }))).toMatchObject({
      status: 'down',
      reasons: ['ECS cannot be read: AWS did not answer'],
    });
  });

  it('names the sources it has not read yet (a page that did not wait for them), and judges on the others', () => {
    const loading = { value: null, fetchedAt: null, ageMs: null, stale: true, error: null, sharedCacheError: null };
    expect(environmentStatus(snapshot({ metrics: loading, deployRuns: loading }))).toEqual({
      status: 'healthy',
      reasons: [],
      unrefreshed: [],
      pending: ['deploys', 'metrics'],
    });
    expect(environmentStatus(snapshot({ metrics: loading, targets: part(null, 'AWS did not answer') }))).toMatchObject({
      status: 'degraded',
      pending: ['metrics'],
    });
  });

  it('names the sources it judged on older values, when their last read failed', () => {
    const s = snapshot({ targets: { ...snapshot().targets, error: part(null, 'connect ECONNREFUSED').error } });
    s.ecs.error = part(null, 'connect ECONNREFUSED').error;
    expect(environmentStatus(s)).toEqual({ status: 'healthy', reasons: [], unrefreshed: ['ECS', 'ALB targets'] });
  });
});

describe('error lines in the status', () => {
  const errors = (count: number, lastSeen: string) =>
    part({
      from: '2026-12-05T09:45:00.000Z',
      to: '2026-12-05T10:00:00.000Z',
      groups: [
        {
          role: 'api' as const,
          message: 'uncaught exception',
          detail: 'redis not reachable',
          count,
          firstSeen: '2026-12-05T09:50:00.000Z',
          lastSeen,
        },
      ],
    });
  const now = Date.parse('2026-12-05T10:00:00.000Z');

  it('degrades while one error repeats, and not once it has stopped or when it is rare', () => {
    expect(environmentStatus(snapshot({ topErrors: errors(5, '2026-12-05T09:59:30.000Z') }), now)).toMatchObject({
      status: 'degraded',
      reasons: ['api: “uncaught exception: redis not reachable” ×5 in the last 15 min'],
    });
    expect(environmentStatus(snapshot({ topErrors: errors(40, '2026-12-05T09:58:00.000Z') }), now).status).toBe(
      'healthy',
    );
    expect(environmentStatus(snapshot({ topErrors: errors(4, '2026-12-05T09:59:59.000Z') }), now).status).toBe(
      'healthy',
    );
  });
});
