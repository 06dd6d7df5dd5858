/**
 * The dashboard's own cost: server response time of the environment page with the cache warm
 * (p50/p95 over sequential requests; target p95 <= 50 ms), and the first-load JavaScript of
 * each page, gzipped: the scripts its HTML names (what a browser must fetch before the page is
 * interactive; lazily loaded chunks such as the charts' uPlot are not among them).
 */
import { gzipSync } from 'node:zlib';
import { buildControlPlane, startControlPlane, type SeededPlatform } from '../seeded-platform';

const REQUESTS = 200;
const PAGES = ['/', '/environments/staging'];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function benchPages(platform: SeededPlatform) {
  await buildControlPlane(() => () => {});
  const controlPlane = await startControlPlane(platform, { step: () => () => {} });
  try {
    const url = `${controlPlane.url}/environments/staging`;
    for (let i = 0; i < 10; i++) await (await fetch(url)).text(); // warm: the cache, the server's code paths
    const times: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const started = performance.now();
      const response = await fetch(url);
      await response.text();
      times.push(performance.now() - started);
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    }
    times.sort((a, b) => a - b);
    console.log(`\nEnvironment page, warm cache, ${REQUESTS} sequential requests (whole HTML, streamed):`);
    console.log(`  p50 ${percentile(times, 50).toFixed(1)} ms  p95 ${percentile(times, 95).toFixed(1)} ms  (target: p95 <= 50 ms; ratio p95/target ${(percentile(times, 95) / 50).toFixed(2)})`);

    console.log('\nFirst-load JavaScript per page, gzipped (the scripts the HTML names):');
    for (const page of PAGES) {
      const html = await (await fetch(`${controlPlane.url}${page}`)).text();
      const scripts = [...new Set([...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]))];
      let gzipped = 0;
      for (const src of scripts) {
        const body = Buffer.from(await (await fetch(new URL(src, controlPlane.url))).arrayBuffer());
        gzipped += gzipSync(body).length;
      }
      console.log(`  ${page.padEnd(24)} ${(gzipped / 1024).toFixed(0).padStart(4)} KB in ${scripts.length} scripts  (target <= 150 KB; ratio ${(gzipped / 1024 / 150).toFixed(2)})`);
    }
  } finally {
    await controlPlane.stop();
  }
}
