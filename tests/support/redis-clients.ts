/**
 * Every test file leaves no Redis client connected: an ioredis client that outlives its test
 * keeps reconnecting to a server that is gone (and prints ECONNREFUSED stacks into the suite's
 * output), or holds a server another file expects quiet. Each client that connects during the
 * file is tracked; after the file's own afterAll hooks, one still open fails the file, named.
 */
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';

const opened = new Set<Redis>();
/** Clients the test closed: one closed while its server was down never reaches 'end', yet stops retrying. */
const closed = new WeakSet<Redis>();
const connect = Redis.prototype.connect;
Redis.prototype.connect = function (this: Redis, ...args: Parameters<Redis['connect']>) {
  opened.add(this);
  return connect.apply(this, args);
};
const disconnect = Redis.prototype.disconnect;
Redis.prototype.disconnect = function (this: Redis, reconnect?: boolean) {
  if (!reconnect) closed.add(this);
  return disconnect.call(this, reconnect);
};
const quit = Redis.prototype.quit;
Redis.prototype.quit = function (this: Redis, ...args: Parameters<Redis['quit']>) {
  closed.add(this);
  return quit.apply(this, args);
};

// Registered first, so it runs after the file's own afterAll hooks (vitest runs them as a stack).
afterAll(async () => {
  // disconnect() and quit() end the socket a moment later: give them that moment.
  const deadline = Date.now() + 2_000;
  const open = () => [...opened].filter((client) => client.status !== 'end' && !closed.has(client));
  while (open().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const left = open();
  opened.clear();
  if (left.length) {
    for (const client of left) client.disconnect();
    throw new Error(
      `${left.length} Redis client(s) left connected after the file's tests: ${left
        .map((c) => `${c.options.host}:${c.options.port}/${c.options.db ?? 0} (${c.status})`)
        .join(', ')}; close each client the test opens (disconnect(), quit(), or close() for BullMQ)`,
    );
  }
});
