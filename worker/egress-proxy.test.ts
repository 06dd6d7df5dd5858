/**
 * The egress proxy on its own, with real sockets: resets from either side mid-transfer end
 * that one request and the proxy keeps serving (an 'error' event with no listener would be
 * an uncaught exception here, which fails the run); refusals for plain requests and CONNECT
 * tunnels; the address dialled is the one checked, even when DNS answers differently later.
 */
import http from 'node:http';
import net from 'node:net';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEgressProxy, type EgressProxy } from './egress-proxy';
import { createUrlGuard, type LookupAll } from './url-guard';

const logger = pino({ level: 'silent' });
const JOB = 'job-1';
let site: http.Server;
let sitePort: number;
let tcp: net.Server; // for tunnels: echoes, or resets when told to
let tcpPort: number;
let proxy: EgressProxy;
let proxyPort: number;
const lookups: string[] = [];
let slowBodyClosed = 0; // site-side responses of /slow-body that ended

async function listen(server: net.Server, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as net.AddressInfo).port;
}

beforeAll(async () => {
  site = http.createServer((req, res) => {
    if (req.url === '/reset-mid-body') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100000' });
      res.write('x'.repeat(1000), () => res.socket?.resetAndDestroy());
    } else if (req.url === '/slow-body') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('y'.repeat(100)), 10);
      res.on('close', () => {
        clearInterval(timer);
        slowBodyClosed++;
      });
    } else {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    }
  });
  sitePort = await listen(site);
  tcp = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.on('data', (data) => (String(data).startsWith('RESET') ? socket.resetAndDestroy() : socket.write(data)));
  });
  tcpPort = await listen(tcp);
  const lookup: LookupAll = async (host) => {
    lookups.push(host);
    if (host === 'private.test') return [{ address: '10.0.0.1', family: 4 }];
    if (host === 'rebind.test')
      return [{ address: lookups.filter((h) => h === host).length > 1 ? '127.0.0.2' : '127.0.0.1', family: 4 }];
    return [{ address: '127.0.0.1', family: 4 }];
  };
  proxy = await startEgressProxy(createUrlGuard({ allowlist: ['127.0.0.1', 'rebind.test'], lookup }), logger);
  proxyPort = Number(new URL(proxy.server).port);
});
afterAll(async () => {
  await proxy.close();
  site.closeAllConnections();
  await new Promise((r) => site.close(r));
  await new Promise((r) => tcp.close(r));
});
afterEach(() => {
  lookups.length = 0;
});

const authHeader = (job = JOB) => {
  const { username, password } = proxy.credentialsFor(job);
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
};

/** A raw client of the proxy: what a browser sends, with full control of its socket. */
function rawClient(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(proxyPort, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

function readUntil(socket: net.Socket, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (d: Buffer) => {
      text += d;
      if (pattern.test(text)) {
        socket.off('data', onData);
        resolve(text);
      }
    };
    socket.on('data', onData);
    socket.once('close', () =>
      pattern.test(text) ? resolve(text) : reject(new Error(`closed before ${pattern}: ${JSON.stringify(text)}`)),
    );
  });
}

/** A plain GET through the proxy, as Chromium sends it (absolute URL, Proxy-Authorization). */
async function get(
  url: string,
  job = JOB,
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: proxyPort,
        path: url,
        headers: { host: target.host, 'proxy-authorization': authHeader(job) },
      },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const stillServes = async () => expect((await get(`http://127.0.0.1:${sitePort}/`)).body).toBe('ok');

describe('the egress proxy', () => {
  it('forwards a checked request and answers', async () => {
    const res = await get(`http://127.0.0.1:${sitePort}/`);
    expect(res).toMatchObject({ status: 200, body: 'ok' });
  });

  it('survives the site resetting the connection mid-body, and keeps serving', async () => {
    const socket = await rawClient();
    socket.write(
      `GET http://127.0.0.1:${sitePort}/reset-mid-body HTTP/1.1\r\nHost: 127.0.0.1:${sitePort}\r\nProxy-Authorization: ${authHeader()}\r\n\r\n`,
    );
    const received = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (d) => (text += d));
      socket.on('error', () => {});
      socket.on('close', () => resolve(text));
    });
    expect(received).toMatch(/^HTTP\/1\.1 200/); // the response started, then was cut
    expect(received.length).toBeLessThan(100_000);
    await stillServes();
  });

  it('survives the browser resetting its connection mid-response, and stops fetching for it', async () => {
    const socket = await rawClient();
    socket.write(
      `GET http://127.0.0.1:${sitePort}/slow-body HTTP/1.1\r\nHost: 127.0.0.1:${sitePort}\r\nProxy-Authorization: ${authHeader()}\r\n\r\n`,
    );
    await readUntil(socket, /yyyy/);
    const closedBefore = slowBodyClosed;
    socket.resetAndDestroy();
    // The proxy hangs up on the site too: an endless response is not fetched for nobody.
    for (let i = 0; i < 100 && slowBodyClosed === closedBefore; i++) await new Promise((r) => setTimeout(r, 20));
    expect(slowBodyClosed).toBe(closedBefore + 1);
    await stillServes();
  });

  it('survives a reset on either side of a CONNECT tunnel mid-transfer', async () => {
    for (const side of ['site', 'browser'] as const) {
      const socket = await rawClient();
      socket.on('error', () => {});
      socket.write(
        `CONNECT 127.0.0.1:${tcpPort} HTTP/1.1\r\nHost: 127.0.0.1:${tcpPort}\r\nProxy-Authorization: ${authHeader()}\r\n\r\n`,
      );
      await readUntil(socket, /200 Connection Established\r\n\r\n/);
      socket.write('hello');
      await readUntil(socket, /hello/);
      if (side === 'site') {
        socket.write('RESET');
        await new Promise((r) => socket.once('close', r));
      } else {
        socket.resetAndDestroy();
      }
      await new Promise((r) => setTimeout(r, 50));
      await stillServes();
    }
  });

  it('survives a browser that resets right after a 407', async () => {
    const socket = await rawClient();
    socket.on('error', () => {});
    socket.write(`CONNECT 127.0.0.1:${tcpPort} HTTP/1.1\r\nHost: 127.0.0.1:${tcpPort}\r\n\r\n`);
    await readUntil(socket, /407/);
    socket.resetAndDestroy();
    await new Promise((r) => setTimeout(r, 50));
    await stillServes();
  });

  it('refuses a subresource to a private address with 403, and reports it to the job', async () => {
    const res = await get('http://private.test/pixel.gif', 'job-refused');
    expect(res.status).toBe(403);
    expect(res.headers['x-pilothouse-refused']).toBe('1');
    expect(proxy.refusals('job-refused')).toEqual([
      'private.test does not resolve to a public address; refusing to fetch it',
    ]);
  });

  it('refuses a CONNECT tunnel to a private address, and reports it to the job', async () => {
    const socket = await rawClient();
    socket.write(
      `CONNECT private.test:443 HTTP/1.1\r\nHost: private.test:443\r\nProxy-Authorization: ${authHeader('job-tunnel')}\r\n\r\n`,
    );
    expect(await readUntil(socket, /\r\n\r\n/)).toMatch(/^HTTP\/1\.1 403/);
    expect(proxy.refusals('job-tunnel')).toHaveLength(1);
  });

  it('resolves once per request and dials the address it checked, not a later DNS answer', async () => {
    // rebind.test answers 127.0.0.1 first and 127.0.0.2 after: a proxy that resolved again to
    // connect would reach the second server.
    let second = 0;
    const other = http.createServer((_req, res) => {
      second++;
      res.end('second');
    });
    await new Promise<void>((resolve) => other.listen(sitePort, '127.0.0.2', resolve));
    try {
      const res = await get(`http://rebind.test:${sitePort}/`);
      expect(res.body).toBe('ok');
      expect(lookups).toEqual(['rebind.test']);
      expect(second).toBe(0);
    } finally {
      await new Promise((r) => other.close(r));
    }
  });

  it('drops what it kept for a job when the job ends, and refuses that job’s context afterwards', async () => {
    await get('http://private.test/x', 'job-done');
    expect(proxy.refusals('job-done')).toHaveLength(1);
    const before = proxy.trackedJobs();
    const auth = authHeader('job-done');

    proxy.forget('job-done');

    expect(proxy.trackedJobs()).toBe(before - 1);
    expect(proxy.refusals('job-done')).toEqual([]);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: proxyPort,
          path: `http://127.0.0.1:${sitePort}/`,
          headers: { 'proxy-authorization': auth },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(407);
  });
});
