import { createHash, timingSafeEqual } from 'node:crypto';

export type ApiKey = { id: string; secret: string };

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Finds the key a bearer token belongs to, comparing digests in constant time. */
export function createKeyMatcher(keys: ApiKey[]) {
  const digests = keys.map((k) => ({ id: k.id, digest: digest(k.secret) }));
  return (authorization: string | undefined): string | null => {
    const match = /^Bearer (\S+)$/.exec(authorization ?? '');
    if (!match) return null;
    const presented = digest(match[1]);
    let found: string | null = null;
    for (const key of digests) if (timingSafeEqual(key.digest, presented)) found = key.id;
    return found;
  };
}
