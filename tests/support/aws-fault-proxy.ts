/**
 * An HTTP proxy in front of the AWS emulator, for the faults a test turns on and off:
 * - `stop()` / `start()`: AWS gone (connections refused, open ones cut), then back on the same port;
 * - `hang()`: AWS accepting requests and never answering them, until `pass()`;
 * - `throttle(share)`: a share of requests answered as AWS throttles them (400 with
 *   `ThrottlingException` in the JSON protocols, `Throttling` in the Query protocol, as the
 *   services document), picked by a seeded pseudo-random sequence (so a call and its retry
 *   are sometimes both throttled, as under real throttling), the rest passed through; the
 *   first call (by the SDK's `amz-sdk-invocation-id`) is throttled on every attempt, so at
 *   least one throttle always outlasts the SDK's retries.
 * It counts every request it receives, so a test can compare AWS call volume across faults,
 * and the calls whose last attempt the SDK allows was throttled too (from the SDK's
 * `amz-sdk-request: attempt=N; max=M` header): those reached our code as errors.
 * Bound to 127.0.0.1 on a free port.
 */
import { createServer, request as forward, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { freePort } from '../../scripts/platform';

export type AwsFaultProxy = {
  url: string;
  /** Requests received since the proxy started (answered, throttled or held). */
  requests: () => number;
  /** Requests answered with a throttling error. */
  throttled: () => number;
  /** Calls throttled on their last allowed attempt: the SDK gave up and our code saw the error. */
  exhausted: () => number;
  stop: () => Promise<void>;
  start: () => Promise<void>;
  hang: () => void;
  throttle: (share: number) => void;
  /** Back to passing everything through; held requests are cut. */
  pass: () => void;
};

type Mode =
  { kind: 'pass' } | { kind: 'hang' } | { kind: 'throttle'; share: number; seed: number; firstCall: string | null };

function answerThrottled(req: IncomingMessage, res: ServerResponse) {
  const requestId = `throttled-${Date.now()}-${Math.random().toString(16).slice(2)}`;
  const contentType = req.headers['content-type'] ?? '';
  if (contentType.startsWith('application/x-amz-json')) {
    // JSON 1.0 and 1.1 (ECS, ECR, SSM, CloudWatch, Application Auto Scaling): the code in x-amzn-errortype and __type.
    res.writeHead(400, {
      'content-type': contentType,
      'x-amzn-errortype': 'ThrottlingException',
      'x-amzn-requestid': requestId,
    });
    res.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
    return;
  }
  // The Query protocol (Elastic Load Balancing v2): an XML ErrorResponse.
  res.writeHead(400, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
  res.end(
    `<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  );
}

export async function startAwsFaultProxy(upstream: { host: string; port: number }): Promise<AwsFaultProxy> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  const held = new Set<IncomingMessage>();
  let server: Server | null = null;
  let mode: Mode = { kind: 'pass' };
  let requests = 0;
  let throttled = 0;
  let exhausted = 0;

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    requests++;
    if (mode.kind === 'hang') {
      held.add(req);
      req.resume(); // read the body, answer nothing
      return;
    }
    if (mode.kind === 'throttle') {
      mode.seed = (mode.seed * 1_103_515_245 + 12_345) % 2 ** 31; // a fixed sequence: the same run each time
      const invocation = String(req.headers['amz-sdk-invocation-id'] ?? '');
      mode.firstCall ??= invocation || null;
      if (mode.seed / 2 ** 31 < mode.share || (invocation !== '' && invocation === mode.firstCall)) {
        throttled++;
        const attempt = /attempt=(\d+);\s*max=(\d+)/.exec(String(req.headers['amz-sdk-request'] ?? ''));
        if (attempt && attempt[1] === attempt[2]) exhausted++;
        req.resume();
        req.on('end', () => answerThrottled(req, res));
        return;
      }
    }
    const upstreamReq = forward(
      { host: upstream.host, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
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
    exhausted: () => exhausted,
    stop,
    start,
    hang: () => {
      mode = { kind: 'hang' };
    },
    throttle: (share) => {
      mode = { kind: 'throttle', share, seed: 42, firstCall: null };
    },
    pass: () => {
      mode = { kind: 'pass' };
      cutHeld();
    },
  };
}
