/**
 * The worker's only way out: Chromium sends every request (documents, redirects,
 * subresources, HTTPS tunnels) through this loopback proxy, which checks each one with
 * the URL guard and connects to the exact address it checked. Each browser context
 * authenticates as its job, so a refusal is reported to that job.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { Logger } from 'pino';
import { RefusedUrlError, type UrlGuard } from './url-guard.js';

export type EgressProxy = {
  server: string;
  /** Proxy credentials for one job's browser context. */
  credentialsFor(jobId: string): { username: string; password: string };
  /** Why requests of this job were refused, in order. */
  refusals(jobId: string): string[];
  forget(jobId: string): void;
  close(): Promise<void>;
};

const HOP_BY_HOP = ['proxy-authorization', 'proxy-connection', 'connection', 'keep-alive', 'te', 'trailer', 'upgrade'];

export async function startEgressProxy(guard: UrlGuard, logger: Logger): Promise<EgressProxy> {
  const password = randomBytes(18).toString('base64url');
  const refused = new Map<string, string[]>();
  const sockets = new Set<net.Socket>();

  function jobOf(req: http.IncomingMessage): string | null {
    const header = req.headers['proxy-authorization'];
    if (!header?.startsWith('Basic ')) return null;
    const [user, pass] = Buffer.from(header.slice(6), 'base64').toString().split(':');
    return pass === password && user ? user : null;
  }

  function refuse(jobId: string, err: unknown): string {
    const reason = err instanceof RefusedUrlError ? err.message : `connection failed: ${(err as Error).message}`;
    if (err instanceof RefusedUrlError) {
      refused.set(jobId, [...(refused.get(jobId) ?? []), reason]);
      logger.warn({ jobId, reason }, 'egress refused');
    }
    return reason;
  }

  const server = http.createServer(async (req, res) => {
    const jobId = jobOf(req);
    if (!jobId) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="pilothouse-egress"' }).end();
      return;
    }
    let target: URL;
    try {
      target = new URL(req.url ?? '');
      if (target.protocol !== 'http:') throw new RefusedUrlError(`${target.protocol} is not proxied`);
      const port = Number(target.port || 80);
      const { address } = await guard.resolve(target.hostname, port);
      const headers = { ...req.headers };
      for (const h of HOP_BY_HOP) delete headers[h];
      const upstream = http.request(
        { host: address, port, method: req.method, path: `${target.pathname}${target.search}`, headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', (err) => {
        if (!res.headersSent) res.writeHead(502).end(refuse(jobId, err));
        else res.destroy();
      });
      req.pipe(upstream);
    } catch (err) {
      res.writeHead(err instanceof RefusedUrlError ? 403 : 400, { 'x-pilothouse-refused': '1' }).end(refuse(jobId, err));
    }
  });

  server.on('connect', async (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const jobId = jobOf(req);
    if (!jobId) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="pilothouse-egress"\r\n\r\n');
      return;
    }
    client.on('error', () => client.destroy());
    try {
      const [host, portText] = splitHostPort(req.url ?? '');
      const { address, port } = await guard.resolve(host, Number(portText));
      const upstream = net.connect(port, address, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
    } catch (err) {
      refuse(jobId, err);
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    }
  });

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;

  return {
    server: `http://127.0.0.1:${port}`,
    credentialsFor: (jobId) => ({ username: jobId, password }),
    refusals: (jobId) => refused.get(jobId) ?? [],
    forget: (jobId) => void refused.delete(jobId),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function splitHostPort(authority: string): [string, string] {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(authority);
  if (!match) throw new RefusedUrlError(`bad CONNECT target ${authority}`);
  return [match[1], match[2]];
}
