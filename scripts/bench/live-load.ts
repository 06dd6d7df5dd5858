/**
 * The load test's run held longer (tests/e2e/load.spec.ts holds it 45 s): 500 EventSource
 * viewers over two `next start` instances and both environments for two minutes while an
 * operator acts every 10 s, against one viewer per environment on one instance doing the same.
 */
import { describeLiveLoad, runLiveLoad } from '../platform/live-viewers';
import { buildControlPlane, LOCAL_USERS, startControlPlane, type SeededPlatform } from '../platform/seeded-platform';
import { signInWithStandin } from '../platform/sign-in';
import { record } from './report';

const WINDOW_MS = 120_000;
const VIEWERS = 500;
/** The fan-out goal: each update reaches every viewer within a second (p99). */
const FAN_OUT_TARGET_MS = 1_000;

export async function benchLiveLoad(platform: SeededPlatform): Promise<void> {
  await buildControlPlane(() => () => {});
  const instances = [];
  try {
    for (let i = 0; i < 2; i++)
      instances.push(await startControlPlane(platform, { step: () => () => {}, inspect: true }));
    const cookie = await signInWithStandin(instances[0].url, LOCAL_USERS.operator.login);
    const common = {
      environments: ['staging', 'production'],
      cookie,
      emulatorUrl: platform.emulator.url,
      redisUrl: platform.redis.url,
      actionEveryMs: 10_000,
      windowMs: WINDOW_MS,
    };
    const single = await runLiveLoad({ ...common, instances: [instances[0]], viewers: 2 });
    const load = await runLiveLoad({ ...common, instances, viewers: VIEWERS });
    console.log(`\nLive load, ${WINDOW_MS / 1000} s per run, an operator acting every 10 s:`);
    console.log(`  one viewer per environment: ${describeLiveLoad(single)}`);
    console.log(`  under load:                 ${describeLiveLoad(load)}`);
    const group = `${VIEWERS} viewers, 2 instances, 2 environments`;
    record({
      group,
      figure: 'AWS calls per minute',
      value: load.awsPerMinute,
      unit: 'calls/min',
      ratio: load.awsPerMinute / single.awsPerMinute,
      ratioOf: `vs one viewer per environment (${single.awsPerMinute.toFixed(0)}/min)`,
    });
    record({
      group,
      figure: 'Redis commands per minute',
      value: load.redisPerMinute,
      unit: 'commands/min',
      ratio: load.redisPerMinute / single.redisPerMinute,
      ratioOf: `vs one viewer per environment (${single.redisPerMinute.toFixed(0)}/min)`,
    });
    record({ group, figure: 'update fan-out p50', value: load.latencyMs.p50, unit: 'ms' });
    record({
      group,
      figure: 'update fan-out p99',
      value: load.latencyMs.p99,
      unit: 'ms',
      ratio: load.latencyMs.p99 / FAN_OUT_TARGET_MS,
      ratioOf: 'p99 / 1 s goal',
    });
    record({ group, figure: 'live stream: open to first update p50', value: load.firstUpdateMs.p50, unit: 'ms' });
    record({ group, figure: 'live stream: open to first update p99', value: load.firstUpdateMs.p99, unit: 'ms' });
    record({
      group,
      figure: 'updates missed / streams dropped',
      value: load.missed + load.dropped,
      unit: `(of ${load.deliveries} deliveries)`,
    });
    record({
      group,
      figure: 'heap after GC once the viewers left',
      value: load.heapMb.after,
      unit: 'MB',
      ratio: load.heapMb.after / load.heapMb.before,
      ratioOf: `vs before they came (${load.heapMb.before.toFixed(0)} MB)`,
    });
  } finally {
    for (const instance of instances) await instance.stop();
  }
}
