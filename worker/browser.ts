/**
 * Chromium for the worker: one browser per process, a fresh context per job (never a
 * browser per job: launching costs far more than a context, see `npm run bench`). A crashed
 * browser is noticed through `disconnected` and relaunched on the next job.
 */
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from 'playwright-core';
import type { Logger } from 'pino';
import type { EgressProxy } from './egress-proxy.js';
import { BrowserNotAnsweringError } from './errors/browser-not-answering-error.js';
import { withTimeout } from './timeout.js';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
  // WebRTC would send UDP (STUN/TURN, ICE candidates) straight out, around the egress proxy:
  // only proxied traffic is allowed, and the proxy carries no UDP, so none leaves.
  '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
  '--webrtc-ip-handling-policy=disable_non_proxied_udp',
];

export type BrowserSource = {
  /** Runs `fn` in a new context whose traffic goes through the egress proxy as `jobId`; always closes it. */
  withContext<T>(
    jobId: string,
    options: BrowserContextOptions,
    fn: (context: BrowserContext) => Promise<T>,
  ): Promise<T>;
  /** The running browser's process id, or null (for tests and logs). */
  pid(): Promise<number | null>;
  close(): Promise<void>;
};

type Options = { executablePath: string; proxy: EgressProxy; logger: Logger };

/**
 * A new context takes milliseconds; one that takes this long means Chromium has stopped
 * answering (it can wedge without exiting). The browser is then replaced, or every later job
 * would wait on it forever.
 */
export const NEW_CONTEXT_TIMEOUT_MS = 10_000;

function launch({ executablePath, proxy }: Options): Promise<Browser> {
  // Every request goes through the egress proxy; Playwright adds `<-loopback>` to the
  // bypass list, so loopback targets are checked too.
  return chromium.launch({
    executablePath,
    args: CHROMIUM_ARGS,
    proxy: { server: proxy.server },
    // Playwright would kill Chromium on these signals at once; shutdown closes it after the jobs.
    handleSIGTERM: false,
    handleSIGINT: false,
    handleSIGHUP: false,
  });
}

function contextOptions(options: BrowserContextOptions, proxy: EgressProxy, jobId: string): BrowserContextOptions {
  return {
    ...options,
    proxy: { server: proxy.server, ...proxy.credentialsFor(jobId) },
    acceptDownloads: false,
    serviceWorkers: 'block', // a service worker could fetch outside the context's lifetime
  };
}

/** The browser process id, from Chromium itself (Playwright does not expose it for launch()). */
async function browserPid(browser: Browser): Promise<number | null> {
  const session = await browser.newBrowserCDPSession();
  try {
    const info = (await session.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number }[] };
    return info.processInfo.find((p) => p.type === 'browser')?.id ?? null;
  } finally {
    await session.detach().catch(() => {});
  }
}

export function sharedBrowser(options: Options): BrowserSource {
  let current: Promise<Browser> | null = null;

  function get(): Promise<Browser> {
    if (!current) {
      const launching = launch(options).then(async (browser) => {
        browser.on('disconnected', () => {
          if (current === launching) current = null;
          options.logger.warn('chromium disconnected; the next job relaunches it');
        });
        options.logger.info({ version: browser.version(), pid: await browserPid(browser) }, 'chromium launched');
        return browser;
      });
      launching.catch(() => {
        if (current === launching) current = null;
      });
      current = launching;
    }
    return current;
  }

  return {
    async withContext(jobId, contextOpts, fn) {
      const launching = get();
      const browser = await launching;
      let context: BrowserContext;
      try {
        context = await withTimeout(
          browser.newContext(contextOptions(contextOpts, options.proxy, jobId)),
          NEW_CONTEXT_TIMEOUT_MS,
          () => new BrowserNotAnsweringError(`chromium newContext: no answer within ${NEW_CONTEXT_TIMEOUT_MS} ms`),
        );
      } catch (err) {
        if (err instanceof BrowserNotAnsweringError) {
          options.logger.warn('chromium not answering; replacing it');
          if (current === launching) current = null;
          void browser.close().catch(() => {});
        }
        throw err;
      }
      try {
        return await fn(context);
      } finally {
        await context.close().catch(() => {});
      }
    },
    pid: async () => (current ? browserPid(await current) : null),
    async close() {
      const browser = current;
      current = null;
      if (browser) await (await browser.catch(() => null))?.close();
    },
  };
}

/** The costly alternative, kept only so the benchmark can measure what sharing saves. */
export function browserPerJob(options: Options): BrowserSource {
  return {
    async withContext(jobId, contextOpts, fn) {
      const browser = await launch(options);
      try {
        const context = await browser.newContext(contextOptions(contextOpts, options.proxy, jobId));
        return await fn(context);
      } finally {
        await browser.close();
      }
    },
    pid: async () => null,
    close: async () => {},
  };
}
