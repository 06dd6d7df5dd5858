/**
 * The worker's only way out: Chromium sends every request (documents, redirects,
 * subresources, HTTPS tunnels) through this loopback proxy, which checks each one with
 * the URL guard and connects to the exact address it checked. Each browser context
 * authenticates as its job, so a refusal is reported to that job.
 *
 * Every socket and stream here has an error listener: a reset from the browser side or the
 * site side (ECONNRESET, EPIPE) ends that one request, never the process. An 'error' event
 * with no listener is thrown as an uncaught exception and would exit the worker.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { Logger } from 'pino';
import { RefusedUrlError, type UrlGuard } from './url-guard.js';

export type EgressProxy = {
  server: string;
  /** Proxy credentials for one job's browser context; the job is tracked until `forget`. */
  credentialsFor(jobId: string): { username: string; password: string };
  /** Why requests of this job were refused, in order. */
  refusals(jobId: string): string[];
  /** The job has ended: drop what was kept for it (and refuse its context from now on). */
  forget(jobId: string): void;
  /** Jobs currently tracked (for tests: nothing must outlive its job). */
  trackedJobs(): number;
  close(): Promise<void>;
};

const HOP_BY_HOP = ['proxy-authorization', 'proxy-connection', 'connection', 'keep-alive', 'te', 'trailer', 'upgrade'];
/** A site that accepts the connection but never answers must not hold a request forever. */
const UPSTREAM_CONNECT_TIMEOUT_MS = 10_000;
/** Refusals kept per job: enough to report, bounded against a page that requests a thousand blocked URLs. */
const MAX_REFUSALS_PER_JOB = 20;

export async function startEgressProxy(guard: UrlGuard, logger: Logger): Promise<EgressProxy> {
  const password = randomBytes(18).toString('base64url');
  /** Jobs with a live browser context, and their refusals. */
  const jobs = new Map<string, string[]>();
  const sockets = new Set<net.Socket>();

  function jobOf(req: http.IncomingMessage): string | null {
    const header = req.headers['proxy-authorization'];
    if (!header?.startsWith('Basic ')) return null;
    const decoded = Buffer.from(header.slice(6), 'base64').toString();
    const colon = decoded.lastIndexOf(':');
    const [user, pass] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
    return pass === password && user && jobs.has(user) ? user : null;
  }

  function refuse(jobId: string, err: unknown): string {
    const reason = err instanceof RefusedUrlError ? err.message : `connection failed: ${(err as Error).message}`;
    if (err instanceof RefusedUrlError) {
      const list = jobs.get(jobId);
      if (list && list.length < MAX_REFUSALS_PER_JOB) list.push(reason);
      logger.warn({ jobId, reason, resolvedAddress: err.resolvedAddress }, 'egress refused');
    }
    return reason;
  }

  const server = http.createServer(async (req, res) => {
    // A browser that goes away mid-request resets these; the request simply ends.
    req.on('error', () => res.destroy());
    res.on('error', () => req.destroy());
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
      if (res.destroyed) return; // the browser gave up while we resolved
      const headers = { ...req.headers };
      for (const h of HOP_BY_HOP) delete headers[h];
      const upstream = http.request(
        {
          host: address,
          port,
          method: req.method,
          path: `${target.pathname}${target.search}`,
          headers,
          timeout: UPSTREAM_CONNECT_TIMEOUT_MS,
        },
        (up) => {
          up.on('error', () => res.destroy()); // the site reset mid-body: cut the browser's response too
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('timeout', () =>
        upstream.destroy(new Error(`no answer from ${target.host} within ${UPSTREAM_CONNECT_TIMEOUT_MS} ms`)),
      );
      upstream.on('error', (err) => {
        if (!res.headersSent) res.writeHead(502).end(refuse(jobId, err));
        else res.destroy();
      });
      res.on('close', () => upstream.destroy()); // the browser left: stop fetching for it
      req.pipe(upstream);
    } catch (err) {
      if (!res.headersSent && !res.destroyed) {
        res
          .writeHead(err instanceof RefusedUrlError ? 403 : 400, { 'x-pilothouse-refused': '1' })
          .end(refuse(jobId, err));
      }
    }
  });

  server.on('connect', async (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    client.on('error', () => client.destroy());
    const jobId = jobOf(req);
    if (!jobId) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="pilothouse-egress"\r\n\r\n',
      );
      return;
    }
    try {
      const [host, portText] = splitHostPort(req.url ?? '');
      const { address, port } = await guard.resolve(host, Number(portText));
      if (client.destroyed) return;
      const upstream = net.connect({ port, host: address, timeout: UPSTREAM_CONNECT_TIMEOUT_MS });
      upstream.on('error', () => client.destroy());
      upstream.on('timeout', () => upstream.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      upstream.once('connect', () => {
        upstream.setTimeout(0);
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
    } catch (err) {
      refuse(jobId, err);
      if (!client.destroyed) client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    }
  });

  // Malformed requests and resets before a request is parsed: answer 400 where possible, never throw.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    else socket.destroy();
  });

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;

  return {
    server: `http://127.0.0.1:${port}`,
    credentialsFor: (jobId) => {
      if (!jobs.has(jobId)) jobs.set(jobId, []);
      return { username: jobId, password };
    },
    refusals: (jobId) => jobs.get(jobId) ?? [],
    forget: (jobId) => void jobs.delete(jobId),
    trackedJobs: () => jobs.size,
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
