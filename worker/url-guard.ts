/**
 * The SSRF guard: a URL the worker renders must resolve only to public unicast addresses,
 * unless its host (or host:port) is on the allow-list. Checked on the address each
 * connection will actually use (see egress-proxy.ts), so DNS rebinding cannot slip past.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { RefusedUrlError } from './errors/refused-url-error.js';

export { RefusedUrlError } from './errors/refused-url-error.js';

export type LookupAll = (hostname: string) => Promise<{ address: string; family: number }[]>;
const systemLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export type ResolvedTarget = { host: string; port: number; address: string };

export type UrlGuard = {
  /** Resolves host:port to the address to connect to, or throws RefusedUrlError. */
  resolve(host: string, port: number): Promise<ResolvedTarget>;
  /** Checks a whole URL: scheme, then host and port as `resolve` does. */
  checkUrl(url: string): Promise<ResolvedTarget>;
};

/** ipaddr.js ranges: only `unicast` is the public internet. */

export function addressRange(ip: string): string {
  let addr = ipaddr.parse(ip);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
    addr = (addr as ipaddr.IPv6).toIPv4Address();
  }
  return addr.range();
}

export function createUrlGuard(options: { allowlist: string[]; lookup?: LookupAll }): UrlGuard {
  const allowlist = new Set(options.allowlist.map((entry) => entry.toLowerCase()));
  const lookup = options.lookup ?? systemLookup;

  async function resolve(rawHost: string, port: number): Promise<ResolvedTarget> {
    const host = rawHost.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    const addresses = ipaddr.isValid(host)
      ? [{ address: host, family: host.includes(':') ? 6 : 4 }]
      : await lookup(host).catch((err: NodeJS.ErrnoException) => {
          throw new RefusedUrlError(
            `${host} does not resolve to a public address; refusing to fetch it`,
            `(${err.code ?? err.message})`,
          );
        });
    if (addresses.length === 0)
      throw new RefusedUrlError(`${host} does not resolve to a public address; refusing to fetch it`, '(no address)');
    if (!allowlist.has(host) && !allowlist.has(`${host}:${port}`)) {
      for (const { address } of addresses) {
        const range = addressRange(address);
        if (range !== 'unicast') {
          // A literal address is the caller's own: say what it is. For a hostname, say the same
          // thing whether it resolves privately or not at all: the api's resolver sees private
          // DNS zones, and the difference would let callers map them.
          if (address === host) throw new RefusedUrlError(`${host} is a ${range} address; refusing to fetch it`);
          throw new RefusedUrlError(
            `${host} does not resolve to a public address; refusing to fetch it`,
            `${address} (${range})`,
          );
        }
      }
    }
    return { host, port, address: addresses[0].address };
  }

  return {
    resolve,
    async checkUrl(url) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new RefusedUrlError(`${url} is not a URL`);
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
        throw new RefusedUrlError(`${parsed.protocol} URLs are not fetched; use http or https`);
      }
      const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
      return resolve(parsed.hostname, port);
    },
  };
}
