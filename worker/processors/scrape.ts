import { artifactKey, MAX_SCRAPED_TEXT_CHARS, type JobResult } from '../../contracts/jobs.js';
import type { KindJob } from './index.js';
import { renderPage, timings, type ProcessorDeps } from './render.js';

/** Most matches kept per selector and links per page: a result must fit a Redis value comfortably. */
const MAX_MATCHES = 100;
const MAX_LINKS = 500;

export async function processScrape(
  deps: ProcessorDeps,
  job: KindJob<'scrape'>,
  signal: AbortSignal,
): Promise<JobResult> {
  const { input } = job.data;
  const started = performance.now();
  let cut = 0;
  const bound = (text: string) => {
    if (text.length <= MAX_SCRAPED_TEXT_CHARS) return text;
    cut++;
    return text.slice(0, MAX_SCRAPED_TEXT_CHARS);
  };
  const rendered = await renderPage(deps, job, input.url, { javaScriptEnabled: true }, signal, async (page) => {
    const selectors: Record<string, string[]> = {};
    for (const selector of input.selectors) {
      const texts = await page.locator(selector).allInnerTexts();
      selectors[selector] = texts.slice(0, MAX_MATCHES).map((t) => bound(t.trim()));
    }
    const links = await page
      .locator('a[href]')
      .evaluateAll(
        (anchors, max) =>
          anchors
            .slice(0, max)
            .map((a) => ({ text: (a.textContent ?? '').trim(), href: (a as HTMLAnchorElement).href })),
        MAX_LINKS,
      );
    return { selectors, links: links.map((l) => ({ text: bound(l.text), href: bound(l.href) })) };
  });
  const uploadStarted = performance.now();
  const body = new TextEncoder().encode(JSON.stringify(rendered.value));
  const artifact = await deps.store.put(artifactKey(job.id!, 'scrape.json'), body, 'application/json');
  return {
    kind: 'scrape',
    finalUrl: rendered.finalUrl,
    artifact,
    extracted: rendered.value,
    ...(cut ? { truncated: [`${cut} text(s) longer than ${MAX_SCRAPED_TEXT_CHARS} characters cut`] } : {}),
    timings: timings(rendered, uploadStarted, started),
  };
}
