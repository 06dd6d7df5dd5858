/**
 * The dashboard's own cost: server response time of the environment page with the cache warm
 * (p50/p95 over sequential requests; target p95 <= 50 ms), and the first-load JavaScript of
 * each page, gzipped: the scripts its HTML names (what a browser must fetch before the page is
 * interactive; lazily loaded chunks such as the charts' uPlot and the live stream's zod schema are
 * not among them, nor the `noModule` polyfills a modern browser skips).
 */
import { gzipSync } from 'node:zlib';
import { buildControlPlane, LOCAL_USERS, startControlPlane, type SeededPlatform } from '../platform/seeded-platform';
import { signInWithStandin } from '../platform/sign-in';
import { record } from './report';

const REQUESTS = 200;
const PAGES = [
  '/',
  '/environments/staging',
  '/environments/staging/services/api',
  '/environments/staging/queues/screenshot',
  '/environments/staging/deploys',
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function benchPages(platform: SeededPlatform) {
  await buildControlPlane(() => () => {});
  const controlPlane = await startControlPlane(platform, { step: () => () => {} });
  try {
    // Signed in as an operator: every page checks the session and the roles (cached) first.
    const cookie = await signInWithStandin(controlPlane.url, LOCAL_USERS.operator.login);
    const fetch = (url: string | URL) => globalThis.fetch(url, { headers: { cookie }, redirect: 'manual' });
    const url = `${controlPlane.url}/environments/staging`;
    for (let i = 0; i < 10; i++) await (await fetch(url)).text(); // warm: the cache, the server's code paths
    const times: number[] = [];
    let htmlBytes = 0;
    for (let i = 0; i < REQUESTS; i++) {
      const started = performance.now();
      const response = await fetch(url);
      htmlBytes = Buffer.byteLength(await response.text());
      times.push(performance.now() - started);
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    }
    times.sort((a, b) => a - b);
    console.log(
      `\nEnvironment page, warm cache, ${REQUESTS} sequential requests (whole HTML, streamed; ${(htmlBytes / 1024).toFixed(0)} KB):`,
    );
    console.log(
      `  p50 ${percentile(times, 50).toFixed(1)} ms  p95 ${percentile(times, 95).toFixed(1)} ms  (target: p95 <= 50 ms; ratio p95/target ${(percentile(times, 95) / 50).toFixed(2)})`,
    );
    record({ group: 'environment page, warm cache', figure: 'p50', value: percentile(times, 50), unit: 'ms' });
    record({
      group: 'environment page, warm cache',
      figure: 'p95',
      value: percentile(times, 95),
      unit: 'ms',
      ratio: percentile(times, 95) / 50,
      ratioOf: 'p95 / 50 ms goal',
    });

    console.log('\nFirst-load JavaScript per page, gzipped (the scripts the HTML names):');
    for (const page of PAGES) {
      const response = await fetch(`${controlPlane.url}${page}`);
      if (response.status !== 200) throw new Error(`${page} answered ${response.status}`);
      const html = await response.text();
      // A `noModule` script (Next's legacy polyfills) is never fetched by a browser that runs modules.
      const tags = [...html.matchAll(/<script[^>]*>/g)].map((m) => m[0]).filter((tag) => !/\snomodule/i.test(tag));
      const scripts = [
        ...new Set(tags.map((tag) => /\ssrc="([^"]+)"/.exec(tag)?.[1]).filter((src) => src !== undefined)),
      ];
      let gzipped = 0;
      for (const src of scripts) {
        const body = Buffer.from(await (await fetch(new URL(src, controlPlane.url))).arrayBuffer());
        gzipped += gzipSync(body).length;
      }
      console.log(
        `  ${page.padEnd(40)} ${(gzipped / 1024).toFixed(1).padStart(6)} KB in ${scripts.length} scripts  (target <= 150 KB; ratio ${(gzipped / 1024 / 150).toFixed(2)})`,
      );
      record({
        group: 'first-load JS, gzipped',
        figure: page,
        value: gzipped / 1024,
        unit: 'KB',
        ratio: gzipped / 1024 / 150,
        ratioOf: 'vs 150 KB goal',
      });
    }
  } finally {
    await controlPlane.stop();
  }
}
