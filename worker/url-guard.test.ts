import { describe, expect, it } from 'vitest';
import { addressRange, createUrlGuard, RefusedUrlError, type LookupAll } from './url-guard';

const noDns: LookupAll = async (host) => {
  throw Object.assign(new Error(`no DNS in this test (${host})`), { code: 'ENOTFOUND' });
};
const guard = createUrlGuard({ allowlist: [], lookup: noDns });

describe('the URL guard', () => {
  // Each spelling is one that WHATWG URL parsing (what Chromium and `new URL` do) turns into a private address.
  for (const [what, url, range] of [
    ['IPv4 loopback', 'http://127.0.0.1/', 'loopback'],
    ['the metadata endpoint', 'http://169.254.169.254/latest/meta-data/', 'linkLocal'],
    ['decimal loopback', 'http://2130706433/', 'loopback'],
    ['octal loopback', 'http://0177.0.0.1/', 'loopback'],
    ['hex loopback', 'http://0x7f.0.0.1/', 'loopback'],
    ['short-form loopback', 'http://127.1/', 'loopback'],
    ['hex metadata endpoint', 'http://0xa9fea9fe/', 'linkLocal'],
    ['a private network', 'http://10.1.2.3:8080/', 'private'],
    ['CGNAT space', 'http://100.64.0.1/', 'carrierGradeNat'],
    ['the unspecified address', 'http://0.0.0.0/', 'unspecified'],
    ['IPv6 loopback', 'http://[::1]/', 'loopback'],
    ['IPv6 link-local', 'http://[fe80::1]/', 'linkLocal'],
    ['IPv6 unique-local', 'http://[fd00::1]/', 'uniqueLocal'],
    ['IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]/', 'loopback'],
    ['IPv4-mapped metadata endpoint', 'http://[::ffff:a9fe:a9fe]/', 'linkLocal'],
    ['multicast', 'http://224.0.0.1/', 'multicast'],
  ] as const) {
    it(`refuses ${what} (${url}) as ${range}`, async () => {
      const refusal = guard.checkUrl(url);
      await expect(refusal).rejects.toBeInstanceOf(RefusedUrlError);
      await expect(refusal).rejects.toThrow(new RegExp(`is a ${range} address`));
    });
  }

  it('refuses a host whose DNS answer holds any private address, even beside a public one', async () => {
    const lookup: LookupAll = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ];
    const refusal = createUrlGuard({ allowlist: [], lookup }).checkUrl('http://mixed.example/');
    await expect(refusal).rejects.toThrow('mixed.example does not resolve to a public address; refusing to fetch it');
    // The address itself is for the logs, never the message a caller sees.
    await expect(refusal).rejects.toMatchObject({
      resolvedAddress: '10.0.0.5 (private)',
      message: expect.not.stringContaining('10.0.0.5'),
    });
  });

  it('says the same of a hostname that resolves privately and one that does not resolve (no oracle for private DNS)', async () => {
    const lookup: LookupAll = async (host) => (host === 'db.internal' ? [{ address: '10.0.0.9', family: 4 }] : []);
    const g = createUrlGuard({ allowlist: [], lookup });
    const [a, b] = await Promise.all([
      g.checkUrl('http://db.internal/').catch((e: Error) => e.message),
      g.checkUrl('http://nothing.internal/').catch((e: Error) => e.message),
    ]);
    expect(String(a).replace('db.internal', 'HOST')).toBe(String(b).replace('nothing.internal', 'HOST'));
    expect(String(a)).toMatch(/refusing to fetch it$/);
  });

  it('returns the address it checked, so the caller connects to exactly that one', async () => {
    const lookup: LookupAll = async () => [{ address: '93.184.216.34', family: 4 }];
    await expect(createUrlGuard({ allowlist: [], lookup }).checkUrl('https://example.org/x')).resolves.toEqual({
      host: 'example.org',
      port: 443,
      address: '93.184.216.34',
    });
  });

  it('refuses other schemes, and names them', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://example.org/', 'gopher://x/', 'javascript:alert(1)']) {
      await expect(guard.checkUrl(url)).rejects.toThrow(/URLs are not fetched; use http or https/);
    }
  });

  it('lets an allow-listed host, or only its host:port, through', async () => {
    const lookup: LookupAll = async () => [{ address: '127.0.0.1', family: 4 }];
    const byHost = createUrlGuard({ allowlist: ['site.test'], lookup });
    const byPort = createUrlGuard({ allowlist: ['site.test:8080'], lookup });
    await expect(byHost.checkUrl('http://site.test:9/')).resolves.toMatchObject({ address: '127.0.0.1' });
    await expect(byPort.checkUrl('http://site.test:8080/')).resolves.toMatchObject({ address: '127.0.0.1' });
    await expect(byPort.checkUrl('http://site.test:8081/')).rejects.toThrow(/does not resolve to a public address/);
  });

  it('classifies IPv4-mapped IPv6 by the IPv4 address inside', () => {
    expect(addressRange('::ffff:10.0.0.1')).toBe('private');
    expect(addressRange('::ffff:8.8.8.8')).toBe('unicast');
  });
});
