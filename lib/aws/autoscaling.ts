import 'server-only';
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingActivitiesCommand,
  DescribeScalingPoliciesCommand,
  type TargetTrackingScalingPolicyConfiguration,
} from '@aws-sdk/client-application-auto-scaling';
import type { Environment } from '../environments';
import { SERVICE_ROLES } from '../../contracts/platform';
import { clientFor } from './clients';
import { awsCall } from './errors';
import { EnvironmentScalingSchema, type EnvironmentScaling } from '../../model/schemas/autoscaling';

const DIMENSION = 'ecs:service:DesiredCount';
/** Recent activities shown per service. */
export const ACTIVITIES_PER_SERVICE = 10;

export function autoscalingClient(env: Environment): ApplicationAutoScalingClient {
  return clientFor(ApplicationAutoScalingClient, env);
}

export function resourceId(env: Environment, role: (typeof SERVICE_ROLES)[number]): string {
  return `service/${env.ecs.cluster}/${env.ecs.services[role]}`;
}

/** Bounds, policies and recent activities of both services: targets in one call, the rest per service in parallel. */
export async function describeScaling(
  env: Environment,
  client: ApplicationAutoScalingClient = autoscalingClient(env),
): Promise<EnvironmentScaling> {
  const ids = SERVICE_ROLES.map((role) => resourceId(env, role));
  const call = <T>(operation: string, run: () => Promise<T>) => awsCall('Application Auto Scaling', operation, run);
  const [targets, ...perService] = await Promise.all([
    call('DescribeScalableTargets', () =>
      client.send(
        new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: ids, ScalableDimension: DIMENSION }),
      ),
    ),
    ...ids.map((id) =>
      Promise.all([
        call('DescribeScalingPolicies', () =>
          client.send(
            new DescribeScalingPoliciesCommand({
              ServiceNamespace: 'ecs',
              ResourceId: id,
              ScalableDimension: DIMENSION,
            }),
          ),
        ),
        call('DescribeScalingActivities', () =>
          client.send(
            new DescribeScalingActivitiesCommand({
              ServiceNamespace: 'ecs',
              ResourceId: id,
              ScalableDimension: DIMENSION,
              MaxResults: ACTIVITIES_PER_SERVICE,
            }),
          ),
        ),
      ]),
    ),
  ]);
  const entries = SERVICE_ROLES.map((role, i) => {
    const target = targets.ScalableTargets?.find((t) => t.ResourceId === ids[i]);
    if (!target) return [role, null] as const;
    const [policies, activities] = perService[i];
    return [
      role,
      {
        resourceId: ids[i],
        minCapacity: target.MinCapacity ?? null,
        maxCapacity: target.MaxCapacity ?? null,
        policies: (policies.ScalingPolicies ?? []).map((p) => {
          const tt = p.TargetTrackingScalingPolicyConfiguration;
          const custom = tt?.CustomizedMetricSpecification;
          return {
            name: p.PolicyName ?? 'unnamed',
            type: p.PolicyType ?? 'unknown',
            targetValue: tt?.TargetValue ?? null,
            metric: tt?.PredefinedMetricSpecification?.PredefinedMetricType ?? customMetricName(custom),
          };
        }),
        activities: (activities.ScalingActivities ?? []).map((a) => ({
          id: a.ActivityId ?? 'unknown',
          description: a.Description ?? '',
          cause: a.Cause ?? '',
          status: a.StatusCode ?? 'unknown',
          startedAt: (a.StartTime ?? new Date(0)).toISOString(),
        })),
      },
    ] as const;
  });
  return EnvironmentScalingSchema.parse(Object.fromEntries(entries));
}

type CustomMetric = NonNullable<NonNullable<TargetTrackingScalingPolicyConfiguration['CustomizedMetricSpecification']>>;

/** `Namespace/MetricName`, or for metric math the returned expression's label (or expression). */
function customMetricName(custom: CustomMetric | undefined): string | null {
  if (!custom) return null;
  if (custom.MetricName) return `${custom.Namespace}/${custom.MetricName}`;
  const returned = custom.Metrics?.find((m) => m.ReturnData !== false && m.Expression);
  return returned ? (returned.Label ?? returned.Expression ?? null) : null;
}
