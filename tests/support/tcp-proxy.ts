/**
 * A TCP proxy in front of a local server, for outages a test turns on and off: `stop()` is the
 * upstream going away (connections refused, open ones cut), `start()` it coming back on the
 * same address. Bound to 127.0.0.1 on a free port.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { freePort } from '../../scripts/local-platform';

export type TcpProxy = {
  url: string;
  port: number;
  /** Closes the listener and cuts every open connection: new connections are refused. */
  stop: () => Promise<void>;
  /** Listens again on the same port. */
  start: () => Promise<void>;
};

export async function startTcpProxy(upstream: { host: string; port: number }): Promise<TcpProxy> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | null = null;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const next = createServer((client) => {
        const target = createConnection(upstream);
        for (const socket of [client, target]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => {
            client.destroy();
            target.destroy();
          });
        }
        client.pipe(target).pipe(client);
      });
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        server = next;
        resolve();
      });
    });

  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      if (!server) return resolve();
      server.close(() => resolve());
      server = null;
    });

  await listen();
  return { url: `http://127.0.0.1:${port}`, port, stop, start: listen };
}
