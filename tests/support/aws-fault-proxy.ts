/**
 * An HTTP proxy in front of the AWS emulator, for the faults a test turns on and off:
 * - `stop()` / `start()`: AWS gone (connections refused, open ones cut), then back on the same port;
 * - `hang()`: AWS accepting requests and never answering them, until `pass()`;
 * - `throttle(share)`: a share of requests answered as AWS throttles them (400 with
 *   `ThrottlingException` in the JSON protocols, `Throttling` in the Query protocol, as the
 *   services document), spread evenly (every 1/share-th request), the rest passed through.
 * It counts every request it receives, so a test can compare AWS call volume across faults.
 * Bound to 127.0.0.1 on a free port.
 */
import { createServer, request as forward, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { freePort } from '../../scripts/local-platform';

export type AwsFaultProxy = {
  url: string;
  /** Requests received since the proxy started (answered, throttled or held). */
  requests: () => number;
  /** Requests answered with a throttling error. */
  throttled: () => number;
  stop: () => Promise<void>;
  start: () => Promise<void>;
  hang: () => void;
  throttle: (share: number) => void;
  /** Back to passing everything through; held requests are cut. */
  pass: () => void;
};

type Mode = { kind: 'pass' } | { kind: 'hang' } | { kind: 'throttle'; share: number; seen: number };

function answerThrottled(req: IncomingMessage, res: ServerResponse) {
  const requestId = `throttled-${Date.now()}-${Math.random().toString(16).slice(2)}`;
  const contentType = req.headers['content-type'] ?? '';
  if (contentType.startsWith('application/x-amz-json')) {
    // JSON 1.0 and 1.1 (ECS, ECR, SSM, CloudWatch, Application Auto Scaling): the code in x-amzn-errortype and __type.
    res.writeHead(400, { 'content-type': contentType, 'x-amzn-errortype': 'ThrottlingException', 'x-amzn-requestid': requestId });
    res.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
    return;
  }
  // The Query protocol (Elastic Load Balancing v2): an XML ErrorResponse.
  res.writeHead(400, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
  res.end(`<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`);
}

export async function startAwsFaultProxy(upstream: { host: string; port: number }): Promise<AwsFaultProxy> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  const held = new Set<IncomingMessage>();
  let server: Server | null = null;
  let mode: Mode = { kind: 'pass' };
  let requests = 0;
  let throttled = 0;

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    requests++;
    if (mode.kind === 'hang') {
      held.add(req);
      req.resume(); // read the body, answer nothing
      return;
    }
    if (mode.kind === 'throttle') {
      mode.seen++;
      if (Math.floor(mode.seen * mode.share) > Math.floor((mode.seen - 1) * mode.share)) {
        throttled++;
        req.resume();
        req.on('end', () => answerThrottled(req, res));
        return;
      }
    }
    const upstreamReq = forward({ host: upstream.host, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (upstreamRes) => {
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
      upstreamRes.pipe(res);
    });
    upstreamReq.on('error', () => res.destroy());
    req.pipe(upstreamReq);
  };

  const start = () =>
    new Promise<void>((resolve, reject) => {
      const next = createServer(handle);
      next.keepAliveTimeout = 60_000;
      next.on('connection', (socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        server = next;
        resolve();
      });
    });

  const cutHeld = () => {
    for (const req of held) req.socket.destroy();
    held.clear();
  };

  const stop = () =>
    new Promise<void>((resolve) => {
      cutHeld();
      for (const socket of sockets) socket.destroy();
      if (!server) return resolve();
      server.close(() => resolve());
      server = null;
    });

  await start();
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    throttled: () => throttled,
    stop,
    start,
    hang: () => {
      mode = { kind: 'hang' };
    },
    throttle: (share) => {
      mode = { kind: 'throttle', share, seen: 0 };
    },
    pass: () => {
      mode = { kind: 'pass' };
      cutHeld();
    },
  };
}
