/**
 * Worker throughput: jobs per second with one shared Chromium (a context per job) versus a
 * Chromium launched per job. Same pages, same job count, same Redis and S3, one run.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { s3ArtifactStore } from '../../worker/artifacts.js';
import { browserPerJob, sharedBrowser, type BrowserSource } from '../../worker/browser.js';
import { startEgressProxy } from '../../worker/egress-proxy.js';
import { createUrlGuard } from '../../worker/url-guard.js';
import { startJobWorkers } from '../../worker/worker.js';
import { EMULATOR_CREDENTIALS, type RunningServer } from '../platform/local-platform';
import { startTargetSite } from '../platform/target-site';
import { record } from './report';

const JOBS = 20;
const CONCURRENCY = 2;
const BUCKET = 'bench-artifacts';

export async function benchWorkerBrowser(emulator: RunningServer, redis: RunningServer) {
  const logger = pino({ level: 'silent' });
  const site = await startTargetSite();
  const s3 = { region: 'us-east-1', endpoint: emulator.url, credentials: EMULATOR_CREDENTIALS, forcePathStyle: true };
  await new S3Client(s3).send(new CreateBucketCommand({ Bucket: BUCKET }));
  process.env.AWS_ACCESS_KEY_ID ??= EMULATOR_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY ??= EMULATOR_CREDENTIALS.secretAccessKey;
  const store = s3ArtifactStore({ bucket: BUCKET, region: 'us-east-1', endpoint: emulator.url });
  const guard = createUrlGuard({ allowlist: [site.host] });
  const proxy = await startEgressProxy(guard, logger);

  async function run(label: string, browser: BrowserSource, db: number) {
    const url = `${redis.url}/${db}`;
    const connection = new Redis(url, { maxRetriesPerRequest: 1 });
    const queue = new Queue('scrape', { connection });
    const jobs = startJobWorkers(
      { browser, proxy, guard, store, navigationTimeoutMs: 30_000 },
      {
        connection: () => new Redis(url, { maxRetriesPerRequest: null }),
        concurrency: CONCURRENCY,
        jobTimeoutMs: 60_000,
        stopGraceMs: 5_000,
        logger,
        kinds: ['scrape'],
      },
    );
    // Warm-up job, not timed: the shared browser's one launch is part of its start-up.
    await queue.add('scrape', job(-1));
    await waitForCompleted(queue, 1);
    const started = performance.now();
    await queue.addBulk(
      Array.from({ length: JOBS }, (_, i) => ({
        name: 'scrape',
        data: job(i),
        opts: { jobId: `scrape-${crypto.randomUUID()}` },
      })),
    );
    await waitForCompleted(queue, JOBS + 1);
    const seconds = (performance.now() - started) / 1000;
    await jobs.close();
    await browser.close();
    await queue.close();
    await connection.quit();
    return { label, jobsPerSecond: JOBS / seconds, seconds };
  }

  function job(i: number) {
    return {
      kind: 'scrape',
      input: { url: `${site.url}/?n=${i}`, selectors: ['.price', 'h1'] },
      owner: 'bench',
      createdAt: new Date().toISOString(),
    };
  }

  try {
    const shared = await run(
      'one shared Chromium',
      sharedBrowser({ executablePath: '/usr/bin/chromium', proxy, logger }),
      10,
    );
    const perJob = await run(
      'a Chromium per job',
      browserPerJob({ executablePath: '/usr/bin/chromium', proxy, logger }),
      11,
    );
    console.log(`\nWorker: ${JOBS} scrape jobs of a local page, concurrency ${CONCURRENCY}, real Redis + S3 emulator`);
    for (const r of [shared, perJob]) {
      console.log(
        `  ${r.label.padEnd(24)} ${r.jobsPerSecond.toFixed(2).padStart(6)} jobs/s  (${r.seconds.toFixed(1)} s)`,
      );
    }
    console.log(
      `  ratio shared / per-job: ${(shared.jobsPerSecond / perJob.jobsPerSecond).toFixed(1)}x jobs per second`,
    );
    record({
      group: `worker, ${JOBS} scrape jobs`,
      figure: 'jobs per second, one shared Chromium',
      value: shared.jobsPerSecond,
      unit: 'jobs/s',
      ratio: shared.jobsPerSecond / perJob.jobsPerSecond,
      ratioOf: `vs a Chromium per job (${perJob.jobsPerSecond.toFixed(2)} jobs/s)`,
    });
  } finally {
    await proxy.close();
    await site.close();
  }
}

async function waitForCompleted(queue: Queue, count: number) {
  for (;;) {
    const counts = await queue.getJobCounts('completed', 'failed');
    if (counts.failed > 0) throw new Error(`${counts.failed} bench job(s) failed`);
    if (counts.completed >= count) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}
