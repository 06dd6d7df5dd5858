import 'server-only';
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Environment } from '../environments';
import { clientFor } from './clients';
import { awsCall } from './errors';
import { LoadBalancerHealthSchema, type LoadBalancerHealth } from '../../model/schemas/elb';

export function elbClient(env: Environment): ElasticLoadBalancingV2Client {
  return clientFor(ElasticLoadBalancingV2Client, env);
}

/** The ALB, its target groups and each target's health: 2 calls, then one per target group in parallel. */
export async function describeLoadBalancerHealth(
  env: Environment,
  client: ElasticLoadBalancingV2Client = elbClient(env),
): Promise<LoadBalancerHealth> {
  const send = <T>(operation: string, run: () => Promise<T>) => awsCall('ELBv2', operation, run);
  const groupArns = Object.values(env.alb.targetGroupArns);
  const [lbs, groups] = await Promise.all([
    send('DescribeLoadBalancers', () =>
      client.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [env.alb.loadBalancerArn] })),
    ),
    send('DescribeTargetGroups', () => client.send(new DescribeTargetGroupsCommand({ TargetGroupArns: groupArns }))),
  ]);
  const healths = await Promise.all(
    (groups.TargetGroups ?? []).map((tg) =>
      send('DescribeTargetHealth', () =>
        client.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn })),
      ),
    ),
  );
  const lb = lbs.LoadBalancers?.[0];
  return LoadBalancerHealthSchema.parse({
    loadBalancer: {
      arn: lb?.LoadBalancerArn ?? env.alb.loadBalancerArn,
      name: lb?.LoadBalancerName ?? '',
      dnsName: lb?.DNSName ?? null,
      state: lb?.State?.Code ?? null,
    },
    targetGroups: (groups.TargetGroups ?? []).map((tg, i) => ({
      arn: tg.TargetGroupArn,
      name: tg.TargetGroupName,
      protocol: tg.Protocol ?? null,
      port: tg.Port ?? null,
      healthCheck: {
        path: tg.HealthCheckPath ?? null,
        intervalSeconds: tg.HealthCheckIntervalSeconds ?? null,
        healthyThreshold: tg.HealthyThresholdCount ?? null,
        unhealthyThreshold: tg.UnhealthyThresholdCount ?? null,
      },
      targets: (healths[i].TargetHealthDescriptions ?? [])
        .map((t) => ({
          id: t.Target?.Id ?? 'unknown',
          port: t.Target?.Port ?? null,
          state: t.TargetHealth?.State ?? 'unknown',
          reason: t.TargetHealth?.Reason ?? null,
          description: t.TargetHealth?.Description ?? null,
        }))
        // AWS gives no order: sorted, so a live update never reshuffles the list being read.
        .sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }) || (a.port ?? 0) - (b.port ?? 0)),
    })),
  });
}
