/** A local web site for the worker to render (tests and the demo), counting the requests it gets. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const PAGE_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>Pilothouse test page</title></head>
<body style="font-family:sans-serif">
  <h1 class="headline">Fares to Lisbon</h1>
  <ul><li class="price">€129</li><li class="price">€149</li><li class="price">€199</li></ul>
  <a href="/about">About us</a> <a href="https://example.org/terms">Terms</a>
</body></html>`;

export type TargetSite = { url: string; host: string; hits: (path?: string) => number; close: () => Promise<void> };

const BROKEN_HTML = `<!doctype html><html><head><title>Checkout</title></head><body style="font-family:sans-serif"><h1>Checkout</h1><p class="price">€ 42.00</p><img src="/missing.png" alt="product"><script>console.error('checkout widget failed: TypeError: cart is undefined');</script></body></html>`;

export async function startTargetSite(): Promise<TargetSite> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://site');
    hits.push(url.pathname);
    if (url.pathname === '/redirect') {
      res.writeHead(302, { location: url.searchParams.get('to') ?? '/' }).end();
    } else if (url.pathname === '/tall') {
      const px = Number(url.searchParams.get('px') ?? 30_000);
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(
          `<!doctype html><body style="margin:0"><div style="height:${px}px;background:linear-gradient(#fff,#333)"></div></body>`,
        );
    } else if (url.pathname === '/broken') {
      // A page that loads but is broken: a console error and a missing image (the failure evidence's material).
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(BROKEN_HTML);
    } else if (url.pathname === '/hanging') {
      // Content at once, but its load event waits on an image that never finishes: a navigation timeout.
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(BROKEN_HTML.replace('</body>', '<img src="/never.png" alt="banner"></body>'));
    } else if (url.pathname === '/never.png') {
      res.writeHead(200, { 'content-type': 'image/png' }); // and nothing more, until the client goes
      req.on('close', () => res.destroy());
    } else if (url.pathname === '/missing.png') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    } else if (url.pathname === '/slow') {
      setTimeout(
        () => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE_HTML),
        Number(url.searchParams.get('ms') ?? 1000),
      );
    } else {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE_HTML);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    hits: (path) => (path ? hits.filter((p) => p === path).length : hits.length),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
