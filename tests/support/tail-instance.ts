/**
 * One control-plane instance's tail hub in a process of its own, so a test can kill it with
 * SIGKILL while it is the one reader of a log group. Prints READING once it holds the lease.
 * Run: node --conditions=react-server --import tsx tests/support/tail-instance.ts
 * with REDIS_URL, PILOTHOUSE_ENVIRONMENTS, AWS_ENDPOINT_URL (and credentials), TAIL_NAME and TAIL_TICK_MS set.
 */
import { Redis } from 'ioredis';
import { createTailHub } from '../../lib/log-tail';

const redis = new Redis(process.env.REDIS_URL!);
const subscriber = new Redis(process.env.REDIS_URL!);
const hub = createTailHub(redis, subscriber, Number(process.env.TAIL_TICK_MS));
hub.subscribe(process.env.TAIL_NAME!, () => {});
const ready = setInterval(() => {
  if (hub.isRefresher(process.env.TAIL_NAME!)) {
    clearInterval(ready);
    console.log('READING');
  }
}, 10);
