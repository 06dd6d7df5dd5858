/**
 * For reference: the Redis commands a popular BullMQ dashboard (Bull Board, a dev dependency
 * here) spends each time one open tab refreshes its queue overview (`GET /api/queues`, which
 * its UI polls), against what Pilothouse spends per refresh of the same queues: one pipelined
 * read (lib/queue.ts getQueueStats) made once by the environment's refresher, however many
 * tabs watch. Both on a redis-server of their own holding the same jobs, counted by INFO.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { Queue } from 'bullmq';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import type { Environment } from '../../lib/environments';
import { getQueueStats } from '../../lib/queue';
import { startRedis } from '../platform/local-platform';
import { record } from './report';

const QUEUES = ['screenshot', 'pdf', 'scrape'];
const REFRESHES = 20;

async function commands(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  return [...info.matchAll(/calls=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/**
 * Counts round trips on a connection: a command sent on its own is one, and a pipeline (whose
 * commands ioredis sends through one buffered writer per exec) is one however long.
 */
function countRoundTrips(connection: Redis): () => number {
  let single = 0;
  const batches = new Set<unknown>();
  const send = connection.sendCommand.bind(connection);
  connection.sendCommand = ((command: never, stream?: unknown) => {
    if (stream) batches.add(stream);
    else single++;
    return send(command, stream as never);
  }) as typeof connection.sendCommand;
  return () => single + batches.size;
}

export async function benchBullBoard(): Promise<void> {
  const server = await startRedis();
  const admin = new Redis(server.url);
  const connection = new Redis(server.url, { maxRetriesPerRequest: null });
  const queues = QUEUES.map((name) => new Queue(name, { connection }));
  const app = Fastify();
  try {
    // The same jobs for both: some waiting, completed and failed in each queue.
    for (const queue of queues) {
      await queue.addBulk(
        Array.from({ length: 50 }, (_, i) => ({ name: queue.name, data: { url: `https://example.com/${i}` } })),
      );
    }
    const board = new FastifyAdapter();
    board.setBasePath('/ui');
    createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter: board });
    await app.register(board.registerPlugin(), { prefix: '/ui' });
    await app.ready();

    const overhead = -(await commands(admin)) + (await commands(admin));
    const roundTrips = countRoundTrips(connection);
    const measure = async (refresh: () => Promise<unknown>) => {
      await refresh(); // warm: scripts loaded, connections ready
      const before = await commands(admin);
      const tripsBefore = roundTrips();
      for (let i = 0; i < REFRESHES; i++) await refresh();
      return {
        commands: ((await commands(admin)) - before - overhead) / REFRESHES,
        roundTrips: (roundTrips() - tripsBefore) / REFRESHES,
      };
    };
    const bullBoard = await measure(async () => {
      const res = await app.inject({ method: 'GET', url: '/ui/api/queues?page=1&jobsPerPage=10' });
      if (res.statusCode !== 200) throw new Error(`Bull Board answered ${res.statusCode}`);
    });
    const env = { name: 'bench', queues: { names: QUEUES, redisUrl: server.url } } as unknown as Environment;
    const pilothouse = await measure(() => getQueueStats(env, connection));

    console.log(
      `\nQueue overview refresh, ${QUEUES.length} queues of 50 jobs, Redis commands (INFO commandstats) and round trips, mean of ${REFRESHES}:`,
    );
    console.log(
      `  Bull Board GET /api/queues, per open tab: ${bullBoard.commands.toFixed(0)} commands in ${bullBoard.roundTrips.toFixed(0)} round trips per refresh`,
    );
    console.log(
      `  Pilothouse getQueueStats, once for all tabs: ${pilothouse.commands.toFixed(0)} commands in ${pilothouse.roundTrips.toFixed(0)} round trips per refresh`,
    );
    for (const tabs of [1, 10, 100]) {
      console.log(
        `  ${String(tabs).padStart(3)} tabs: Bull Board ${(bullBoard.commands * tabs).toFixed(0)}, Pilothouse ${pilothouse.commands.toFixed(0)}: ${((bullBoard.commands * tabs) / pilothouse.commands).toFixed(1)}x`,
      );
    }
    record({
      group: 'queue overview refresh',
      figure: 'Bull Board (reference), per open tab',
      value: bullBoard.commands,
      unit: 'Redis commands',
    });
    record({
      group: 'queue overview refresh',
      figure: 'Pilothouse, for all tabs',
      value: pilothouse.commands,
      unit: 'Redis commands',
      ratio: bullBoard.commands / pilothouse.commands,
      ratioOf: 'Bull Board with 1 tab / Pilothouse',
    });
    record({
      group: 'queue overview refresh',
      figure: 'with 10 tabs open',
      value: bullBoard.commands * 10,
      unit: 'Bull Board Redis commands',
      ratio: (bullBoard.commands * 10) / pilothouse.commands,
      ratioOf: 'Bull Board / Pilothouse',
    });
    record({
      group: 'queue overview refresh',
      figure: 'Pilothouse round trips per refresh',
      value: pilothouse.roundTrips,
      unit: 'round trips',
      ratio: bullBoard.roundTrips / pilothouse.roundTrips,
      ratioOf: `Bull Board's ${bullBoard.roundTrips.toFixed(0)} per tab / Pilothouse`,
    });
  } finally {
    await app.close();
    await Promise.all(queues.map((q) => q.close()));
    connection.disconnect();
    admin.disconnect();
    await server.stop();
  }
}
