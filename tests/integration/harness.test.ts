/**
 * The harness's own promise that fault tests lean on: a Redis restarted after a kill comes back
 * on the same port with its data, even when the port is still held a moment after the kill.
 */
import { Redis } from 'ioredis';
import { createServer } from 'node:net';
import { expect, it } from 'vitest';
import { startRedis } from '../../scripts/platform';

it('a restarted Redis waits for its port to be free again, then serves the same data on it', async () => {
  const first = await startRedis({ appendOnly: true });
  const before = new Redis(first.url, { lazyConnect: true });
  await before.connect();
  await before.set('survives', 'the restart');
  before.disconnect();
  const { port, dir } = first;
  // Killed as the fault tests kill it (its directory stays; the data is in the append-only file).
  process.kill(first.pid, 'SIGKILL');

  // Something holds the port for a second after the kill (the first tries to start are refused).
  // It takes the port as soon as the killed server's socket is gone.
  const holder = createServer();
  for (let taken = false; !taken;) {
    taken = await new Promise<boolean>((resolve) => {
      holder.once('error', () => resolve(false));
      holder.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!taken) await new Promise((r) => setTimeout(r, 20));
  }
  const released = new Promise<void>((resolve) => setTimeout(() => holder.close(() => resolve()), 1_000));
  const restarted = await startRedis({ appendOnly: true, restartOf: { port, dir } });
  await released;
  try {
    expect(restarted.port).toBe(port);
    const after = new Redis(restarted.url, { lazyConnect: true });
    await after.connect();
    expect(await after.get('survives')).toBe('the restart');
    after.disconnect();
  } finally {
    await restarted.stop();
    await first.stop(); // its directory
  }
});
