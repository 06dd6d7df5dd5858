/**
 * Status changes: recorded in the history stream, posted once to a webhook (a local HTTP server
 * here, as Slack's incoming webhook would receive it), never while the status flaps inside the
 * settle window, once among instances that judge at the same moment, and again after a failed post.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { StatusVerdict } from '@/model/schemas/snapshot';
import { readStatusHistory, trackStatus } from '@/lib/status-alerts';

const redis = new Redis(`${inject('redisUrl')}/11`);
const received: { headers: http.IncomingHttpHeaders; body: unknown }[] = [];
let failNext = 0;
let webhook: http.Server;
let webhookUrl = '';

beforeAll(async () => {
  await redis.flushdb();
  webhook = http.createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    if (failNext > 0) {
      failNext--;
      res.writeHead(500).end('try later');
      return;
    }
    received.push({ headers: req.headers, body: JSON.parse(raw) });
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'); // Slack answers "ok"
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/services/T000/B000/XXXX`;
});
afterAll(async () => {
  redis.disconnect();
  await new Promise((resolve) => webhook.close(resolve));
});

const verdict = (status: StatusVerdict['status'], reasons: string[] = []): StatusVerdict => ({
  status,
  reasons,
  unrefreshed: [],
});
let n = 0;
const environment = () => ({ name: `alerts-${n++}`, production: false, alerts: { settleSeconds: 60 } });

describe('status alerts', () => {
  it('posts one Slack-shaped message for a change that holds past the settle window, and none for a flap inside it', async () => {
    const env = environment();
    const judge = (status: StatusVerdict['status'], atSeconds: number, reasons: string[] = []) =>
      trackStatus(env, verdict(status, reasons), { redis, now: 1_000_000 + atSeconds * 1000, webhookUrl });
    received.length = 0;

    await judge('healthy', 0);
    await judge('degraded', 5, ['api: 1 unhealthy target (10.0.0.2: Target.Timeout)']);
    await judge('healthy', 30); // back within the minute: a flap
    await judge('degraded', 40, ['api: 1 unhealthy target (10.0.0.2: Target.Timeout)']);
    await judge('down', 70, ['api: no healthy target of 2']); // degraded held 30 s, then down: neither announced yet
    await judge('down', 101, ['api: no healthy target of 2']);
    expect(received).toHaveLength(0); // down since 70 s, for 31 s: not yet
    const change = await judge('down', 131, ['api: no healthy target of 2']);
    await judge('down', 140, ['api: no healthy target of 2']);
    await judge('down', 230, ['api: no healthy target of 2']);

    expect(change).toMatchObject({ from: 'healthy', to: 'down' });
    expect(received).toHaveLength(1);
    expect(received[0].headers['content-type']).toBe('application/json');
    expect(received[0].body).toEqual({
      text: `${env.name} is down (was healthy)`,
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: `:red_circle: *${env.name} is down (was healthy)*\n• api: no healthy target of 2`,
          },
        },
      ],
    });
    // Every judged change is in the history, the flap included, newest first.
    expect((await readStatusHistory(redis, env.name, 0)).map((h) => `${h.from ?? ''}->${h.to}`)).toEqual([
      'degraded->down',
      'healthy->degraded',
      'degraded->healthy',
      'healthy->degraded',
      '->healthy',
    ]);
  });

  it('never announces a status that gives way to a third one inside the window', async () => {
    const env = environment();
    received.length = 0;
    await trackStatus(env, verdict('degraded'), { redis, now: 0, webhookUrl });
    await trackStatus(env, verdict('down'), { redis, now: 55_000, webhookUrl }); // degraded for 55 s
    await trackStatus(env, verdict('degraded'), { redis, now: 60_000, webhookUrl }); // down for 5 s
    await trackStatus(env, verdict('degraded'), { redis, now: 100_000, webhookUrl });
    expect(received).toHaveLength(0);
    await trackStatus(env, verdict('degraded'), { redis, now: 120_000, webhookUrl });
    expect(received.map((r) => (r.body as { text: string }).text)).toEqual([`${env.name} is degraded (was healthy)`]);
  });

  it('sends a change once when two instances judge it at the same moment', async () => {
    const env = environment();
    received.length = 0;
    await trackStatus(env, verdict('degraded'), { redis, now: 0, webhookUrl });
    const other = new Redis(`${inject('redisUrl')}/11`);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        trackStatus(env, verdict('degraded'), { redis: i % 2 ? other : redis, now: 61_000, webhookUrl }),
      ),
    );
    other.disconnect();
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(received).toHaveLength(1);
  });

  it('tries again at the next judgement when the webhook fails, and then sends it once', async () => {
    const env = environment();
    received.length = 0;
    failNext = 1;
    await trackStatus(env, verdict('down'), { redis, now: 0, webhookUrl });
    expect(await trackStatus(env, verdict('down'), { redis, now: 60_000, webhookUrl })).toBeNull(); // the post failed
    expect(received).toHaveLength(0);
    expect(await trackStatus(env, verdict('down'), { redis, now: 65_000, webhookUrl })).toMatchObject({
      from: 'healthy',
      to: 'down',
    });
    await trackStatus(env, verdict('down'), { redis, now: 70_000, webhookUrl });
    expect(received).toHaveLength(1);
  });

  it('announces the way back too, once it holds', async () => {
    const env = environment();
    received.length = 0;
    await trackStatus(env, verdict('down'), { redis, now: 0, webhookUrl });
    await trackStatus(env, verdict('down'), { redis, now: 60_000, webhookUrl });
    await trackStatus(env, verdict('healthy'), { redis, now: 100_000, webhookUrl });
    await trackStatus(env, verdict('healthy'), { redis, now: 160_000, webhookUrl });
    expect(received.map((r) => (r.body as { text: string }).text)).toEqual([
      `${env.name} is down (was healthy)`,
      `${env.name} is healthy (was down)`,
    ]);
  });
});
