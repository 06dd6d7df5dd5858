/**
 * Job search (lib/job-search.ts) among 10,000 jobs enqueued through the api's own enqueueJob
 * (which indexes them by host): by id, by host and by URL, 200 searches each, p50/p95 against
 * the 200 ms target, and against finding the same host's jobs by reading every job (what a
 * search without the index would do).
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { searchJobs } from '../../lib/job-search';
import type { Environment } from '../../lib/environments';
import { createQueues, enqueueJob } from '../../worker/api/jobs';
import { record } from './report';

const JOBS = 10_000;
const HOSTS = 40;
const RUNS = 200;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function time(run: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
}

export async function benchJobSearch(redis: { url: string }): Promise<void> {
  const url = `${redis.url}/13`;
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  await connection.flushdb();
  const queues = createQueues(connection);
  const kinds = ['screenshot', 'pdf', 'scrape'] as const;
  const ids: string[] = [];
  for (let i = 0; i < JOBS; i += 250) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(250, JOBS - i) }, (_, j) => {
        const n = i + j;
        return enqueueJob(
          connection,
          queues,
          'bench',
          { kind: kinds[n % 3], input: { url: `https://shop-${n % HOSTS}.example.com/item/${n}` } } as never,
          undefined,
        );
      }),
    );
    ids.push(...batch.map((b) => b.job.id));
  }
  const env = { name: 'bench', queues: { names: [...kinds], redisUrl: url } } as unknown as Environment;
  const byId = await time(() => searchJobs(env, ids[Math.floor(Math.random() * JOBS)], connection));
  const byHost = await time(() => searchJobs(env, `shop-${Math.floor(Math.random() * HOSTS)}.example.com`, connection));
  const byUrl = await time(() =>
    searchJobs(env, `https://shop-3.example.com/item/${3 + HOSTS * Math.floor(Math.random() * 200)}`, connection),
  );
  // Without the index: every job's data read to find one host's jobs (SCAN-free, but all jobs).
  const scan = await (async () => {
    const started = performance.now();
    const all = await Promise.all(kinds.map((k) => new Queue(k, { connection }).getJobs(['waiting'], 0, -1)));
    const found = all
      .flat()
      .filter((j) => (j.data.input as { url: string }).url.startsWith('https://shop-7.example.com/'));
    return { ms: performance.now() - started, found: found.length };
  })();
  console.log(`\njob search among ${JOBS} jobs (${HOSTS} hosts), ${RUNS} searches each:`);
  console.log(
    `  by id:   p50 ${byId.p50.toFixed(1)} ms, p95 ${byId.p95.toFixed(1)} ms (target 200 ms: ratio ${(byId.p95 / 200).toFixed(3)})`,
  );
  console.log(
    `  by host: p50 ${byHost.p50.toFixed(1)} ms, p95 ${byHost.p95.toFixed(1)} ms (ratio ${(byHost.p95 / 200).toFixed(3)})`,
  );
  console.log(
    `  by URL:  p50 ${byUrl.p50.toFixed(1)} ms, p95 ${byUrl.p95.toFixed(1)} ms (ratio ${(byUrl.p95 / 200).toFixed(3)})`,
  );
  console.log(
    `  reading every job to find one host's ${scan.found}: ${scan.ms.toFixed(0)} ms, ${(scan.ms / byHost.p50).toFixed(0)}x the indexed search`,
  );
  const group = `job search, ${JOBS} jobs`;
  record({ group, figure: 'by id p95', value: byId.p95, unit: 'ms', ratio: byId.p95 / 200, ratioOf: 'vs 200 ms goal' });
  record({
    group,
    figure: 'by host p95',
    value: byHost.p95,
    unit: 'ms',
    ratio: scan.ms / byHost.p50,
    ratioOf: 'reading every job / indexed (p50)',
  });
  record({
    group,
    figure: 'by URL p95',
    value: byUrl.p95,
    unit: 'ms',
    ratio: byUrl.p95 / 200,
    ratioOf: 'vs 200 ms goal',
  });
  await Promise.all(Object.values(queues).map((q) => q.close()));
  connection.disconnect();
}
