/**
 * One control-plane instance's live hub in a process of its own, so a test can kill it with
 * SIGKILL while it holds an environment's refresher lease. Its snapshots say who made them.
 * Run: node --conditions=react-server --import tsx tests/support/live-instance.ts
 * with REDIS_URL, LIVE_ENVIRONMENT, LIVE_TICK_MS and LIVE_LEASE_MS set.
 */
import { Redis } from 'ioredis';
import { createLiveHub } from '../../lib/live';

const redis = new Redis(process.env.REDIS_URL!);
const subscriber = new Redis(process.env.REDIS_URL!);
let loads = 0;
const hub = createLiveHub({
  redis,
  subscriber,
  load: async () => ({ pid: process.pid, load: ++loads }),
  tickMs: Number(process.env.LIVE_TICK_MS),
  leaseMs: Number(process.env.LIVE_LEASE_MS),
});
hub.subscribe(process.env.LIVE_ENVIRONMENT!, () => {});
const ready = setInterval(() => {
  if (hub.isRefresher(process.env.LIVE_ENVIRONMENT!)) {
    clearInterval(ready);
    console.log('REFRESHING');
  }
}, 10);
