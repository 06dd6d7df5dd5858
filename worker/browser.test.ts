/**
 * The worker's Chromium (Debian's, through the egress proxy) cannot send UDP around the
 * proxy: a page that opens a WebRTC connection to a STUN server gets no packet out.
 */
import dgram from 'node:dgram';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, sharedBrowser, type BrowserSource } from './browser';
import { startEgressProxy, type EgressProxy } from './egress-proxy';
import { createUrlGuard } from './url-guard';

const logger = pino({ level: 'silent' });
let proxy: EgressProxy;
let browser: BrowserSource;
let site: http.Server;
let siteUrl: string;
let stun: dgram.Socket;
let stunPort: number;
const packets: Buffer[] = [];

beforeAll(async () => {
  site = http.createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>rtc</title>'),
  );
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
  stun = dgram.createSocket('udp4');
  stun.on('message', (msg) => packets.push(msg));
  await new Promise<void>((resolve) => stun.bind(0, '127.0.0.1', resolve));
  stunPort = stun.address().port;
  proxy = await startEgressProxy(createUrlGuard({ allowlist: [new URL(siteUrl).host] }), logger);
  browser = sharedBrowser({ executablePath: '/usr/bin/chromium', proxy, logger });
});
afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  stun?.close();
  site?.closeAllConnections();
  await new Promise((r) => site?.close(r));
});

/** Opens a WebRTC connection to the STUN server and gathers ICE candidates for 2 s; returns them. */
async function gatherIce(page: Page): Promise<string[]> {
  await page.goto(siteUrl);
  return page.evaluate(async (port) => {
    const pc = new RTCPeerConnection({ iceServers: [{ urls: `stun:127.0.0.1:${port}` }] });
    const candidates: string[] = [];
    pc.onicecandidate = (e) => e.candidate && candidates.push(e.candidate.candidate);
    pc.createDataChannel('x');
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((r) => setTimeout(r, 2_000)); // ICE gathering: STUN requests go out now, if at all
    pc.close();
    return candidates;
  }, stunPort);
}

describe("the worker's Chromium", () => {
  it('positive control: the same Chromium and proxy without the WebRTC flags does send STUN to this server', async () => {
    const webrtcFlags = CHROMIUM_ARGS.filter((a) => a.includes('webrtc'));
    expect(webrtcFlags).toHaveLength(2);
    const plain = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: CHROMIUM_ARGS.filter((a) => !webrtcFlags.includes(a)),
      proxy: { server: proxy.server },
    });
    try {
      const context = await plain.newContext({
        proxy: { server: proxy.server, ...proxy.credentialsFor('job-rtc-control') },
      });
      const gathered = await gatherIce(await context.newPage());
      expect(packets.length, 'STUN packets received without the flags').toBeGreaterThan(0);
      expect(gathered.filter((c) => / udp /i.test(c)).length).toBeGreaterThan(0);
    } finally {
      await plain.close();
      packets.length = 0;
    }
  });

  it('sends no WebRTC (STUN) packet around the egress proxy', async () => {
    const gathered = await browser.withContext('job-rtc', {}, async (context) => gatherIce(await context.newPage()));
    expect(packets).toHaveLength(0);
    // No host or server-reflexive UDP candidate either: nothing to leak the task's addresses.
    expect(gathered.filter((c) => / udp /i.test(c))).toEqual([]);
  });
});
