/**
 * A session cookie the control plane did not issue, or issued and then let expire, is nobody:
 * pages send its bearer to sign in, reads answer 401, actions answer 401 and are audited as
 * refused for no one, and nothing is done. Each cookie claims the operator olivia-ops; a cookie
 * minted the same way with the server's secret and a live expiry is accepted (the positive
 * control: the refusals are the server's judgement of the cookie, not of how it was made).
 */
import { expect, test } from '@playwright/test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { encode } from 'next-auth/jwt';
import { readFileSync } from 'node:fs';
import { LOCAL_USERS } from '../../scripts/platform';
import { auditRecordOf } from '../support/audit';
import { authState } from './global-setup';

const baseURL = () => process.env.PILOTHOUSE_E2E_URL!;
const COOKIE = 'next-auth.session-token';
const operator = LOCAL_USERS.operator.login;
const secret = () =>
  (JSON.parse(process.env.PILOTHOUSE_E2E_SERVER_SECRETS!) as { NEXTAUTH_SECRET: string }).NEXTAUTH_SECRET;
/** What next-auth puts in the token at sign-in (lib/auth.ts, jwt callback): who, by GitHub login. */
const claims = { login: operator, name: operator, sub: '1' };

function issuedCookie(): string {
  const state = JSON.parse(readFileSync(authState('operator'), 'utf8')) as {
    cookies: { name: string; value: string }[];
  };
  return state.cookies.find((c) => c.name === COOKIE)!.value;
}
/** One character of the ciphertext changed (the JWE's fourth part), so its authentication tag no longer matches. */
function tampered(token: string): string {
  const parts = token.split('.');
  const at = Math.floor(parts[3].length / 2);
  parts[3] = `${parts[3].slice(0, at)}${parts[3][at] === 'A' ? 'B' : 'A'}${parts[3].slice(at + 1)}`;
  return parts.join('.');
}

async function asks(cookie: string) {
  const headers = { cookie: `${COOKIE}=${cookie}` };
  const page = await fetch(`${baseURL()}/environments/staging`, { headers, redirect: 'manual' });
  const read = await fetch(`${baseURL()}/api/environments/staging/jobs/search?q=pdf`, { headers });
  const action = await fetch(`${baseURL()}/api/environments/staging/queues/pdf`, {
    method: 'POST',
    headers: {
      ...headers,
      origin: baseURL(),
      'content-type': 'application/json',
      'idempotency-key': `cookie-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    },
    body: JSON.stringify({ action: 'pause' }),
  });
  const actionBody = (await action.json()) as { requestId?: string };
  return {
    page: { status: page.status, location: page.headers.get('location') ?? '' },
    read: read.status,
    action: action.status,
    requestId: actionBody.requestId,
  };
}

let redis: Redis;
let queue: Queue;
test.beforeAll(() => {
  redis = new Redis(process.env.PILOTHOUSE_E2E_REDIS_URL!);
  const registry = JSON.parse(readFileSync(process.env.PILOTHOUSE_E2E_REGISTRY_FILE!, 'utf8')) as {
    environments: { name: string; queues: { redisUrl: string } }[];
  };
  const { redisUrl } = registry.environments.find((e) => e.name === 'staging')!.queues;
  queue = new Queue('pdf', { connection: { url: redisUrl, maxRetriesPerRequest: null } });
});
test.afterAll(async () => {
  if (await queue.isPaused()) await queue.resume();
  await queue.close();
  redis.disconnect();
});

const auditFor = (requestId: string | undefined) => auditRecordOf(redis, requestId);

test('a forged, a tampered and an expired session cookie are refused on pages, reads and actions, and act as no one', async () => {
  const cookies = {
    'forged (signed with another secret)': await encode({
      token: claims,
      secret: 'not-the-control-plane-secret-0123456789',
    }),
    'tampered (an issued cookie, one character changed)': tampered(issuedCookie()),
    // Past next-auth's 15 s clock tolerance.
    'expired (the server secret, expired two minutes ago)': await encode({
      token: claims,
      secret: secret(),
      maxAge: -120,
    }),
  };
  for (const [what, cookie] of Object.entries(cookies)) {
    const answer = await asks(cookie);
    expect(answer.page.status, `${what}: page`).toBe(307);
    expect(answer.page.location, `${what}: page`).toContain('/api/auth/signin');
    expect(answer.read, `${what}: read`).toBe(401);
    expect(answer.action, `${what}: action`).toBe(401);
    expect(await queue.isPaused(), `${what}: nothing was done`).toBe(false);
    expect(await auditFor(answer.requestId), `${what}: audited as refused, for no one`).toMatchObject({
      user: null,
      result: 'refused',
      status: 401,
    });
  }

  // The positive control: minted the same way, with the server's secret and a live expiry, it
  // is olivia-ops, and her action is done (then undone).
  const valid = await asks(await encode({ token: claims, secret: secret(), maxAge: 600 }));
  expect(valid).toMatchObject({ page: { status: 200 }, read: 200, action: 200 });
  expect(await queue.isPaused()).toBe(true);
  expect(await auditFor(valid.requestId)).toMatchObject({ user: operator, result: 'ok' });
  await queue.resume();
});
