/**
 * Roles from GitHub team membership, asked of the GitHub stand-in through the real Octokit
 * client, and how long a removed team member keeps them (lib/access.ts).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hasRole, lookUpRoles, rolesOf, ROLES_MAX_AGE_MS } from '@/lib/access';
import { createLiveHub } from '@/lib/live';
import { liveEventStream, STREAM_ENDED_NO_ROLE } from '@/lib/sse';
import { createCache } from '@/lib/cache';
import { EnvironmentSchema, type Environment } from '@/lib/environments';
import { createGithubClient, isActiveTeamMember } from '@/lib/github';
import { startGithubStandin } from '../../scripts/platform';
import { seededEnvironment } from '../support/aws';
import { backgroundWork } from '../support/background';

const TOKEN = 'ghs_access_test';
const redis = new Redis(`${inject('redisUrl')}/9`);
let github: Awaited<ReturnType<typeof startGithubStandin>>;
let environments: Environment[];
const users = [
  { login: 'olivia-ops', id: 1, name: 'Olivia' },
  { login: 'sam-staging', id: 2, name: 'Sam' },
  { login: 'victor-viewer', id: 3, name: 'Victor' },
  { login: 'mallory', id: 4, name: 'Mallory' },
  { login: 'Listed-Login', id: 5, name: 'Listed' },
];

beforeAll(async () => {
  await redis.flushdb();
  github = await startGithubStandin({
    token: TOKEN,
    owner: 'acme',
    repo: 'platform',
    workflow: 'deploy.yml',
    oauth: {
      clientId: 'client',
      clientSecret: 'secret',
      users,
      teams: {
        'acme/oncall': ['olivia-ops'],
        'acme/staging-deployers': ['sam-staging'],
        'acme/engineering': ['olivia-ops', 'sam-staging', 'victor-viewer'],
      },
    },
  });
  const access = {
    staging: {
      operators: { teams: ['acme/oncall', 'acme/staging-deployers'], logins: [] },
      viewers: { teams: ['acme/engineering'], logins: ['listed-login'] },
    },
    production: {
      operators: { teams: ['acme/oncall'], logins: [] },
      viewers: { teams: ['acme/engineering'], logins: [] },
    },
  };
  environments = (['staging', 'production'] as const).map((name) =>
    EnvironmentSchema.parse({ ...seededEnvironment(name), access: access[name] }),
  );
});
afterAll(async () => {
  redis.disconnect();
  await github?.close();
});

const octokit = () => createGithubClient({ kind: 'token', token: TOKEN }, github.url);
const isMember = (team: string, login: string) => isActiveTeamMember(team, login, octokit());

describe('roles from GitHub team membership', () => {
  it('gives each person their role per environment, asking each team once', async () => {
    const before = github.membershipLookups().length;
    expect(await lookUpRoles('olivia-ops', environments, isMember)).toEqual({
      staging: 'operator',
      production: 'operator',
    });
    // Three distinct teams across both environments: three lookups, not five.
    expect(github.membershipLookups().length - before).toBe(3);
    expect(await lookUpRoles('sam-staging', environments, isMember)).toEqual({
      staging: 'operator',
      production: 'viewer',
    });
    expect(await lookUpRoles('victor-viewer', environments, isMember)).toEqual({
      staging: 'viewer',
      production: 'viewer',
    });
    expect(await lookUpRoles('mallory', environments, isMember)).toEqual({});
    // GitHub logins are case-insensitive.
    expect(await lookUpRoles('Listed-Login', environments, isMember)).toEqual({ staging: 'viewer' });
    expect(github.violations).toEqual([]);
  });

  it('a member removed from a team loses the role within 10 minutes, however long the session', async () => {
    let now = Date.now();
    const { background, settled } = backgroundWork();
    const cache = createCache(redis, { now: () => now, background });
    const lookUp = (login: string) => lookUpRoles(login, environments, isMember);
    expect((await rolesOf('olivia-ops', { cache, lookUp })).roles).toEqual({
      staging: 'operator',
      production: 'operator',
    });

    github.setTeamMembers('acme/oncall', []); // an org admin removes her from on-call
    now += 60_000;
    expect((await rolesOf('olivia-ops', { cache, lookUp })).roles.production).toBe('operator'); // cached for now
    for (let minute = 2; minute <= 10; minute++) {
      now += 60_000;
      await rolesOf('olivia-ops', { cache, lookUp });
      await settled(); // the background refresh this read started has landed
    }
    expect((await rolesOf('olivia-ops', { cache, lookUp })).roles).toEqual({ staging: 'viewer', production: 'viewer' });
  });

  it('when GitHub cannot be asked, old roles end at the age limit: no role, with the reason', async () => {
    let now = Date.now();
    const cache = createCache(redis, { now: () => now });
    const lookUp = (login: string) => lookUpRoles(login, environments, isMember);
    expect((await rolesOf('sam-staging', { cache, lookUp })).roles.staging).toBe('operator');
    const failing = (login: string) =>
      lookUpRoles(login, environments, () => Promise.reject(new Error('GitHub did not answer')));
    now += ROLES_MAX_AGE_MS - 60_000;
    expect((await rolesOf('sam-staging', { cache, lookUp: failing })).roles.staging).toBe('operator'); // young enough
    now += 2 * 60_000;
    const late = await rolesOf('sam-staging', { cache, lookUp: failing });
    expect(late.roles).toEqual({});
    expect(late.error?.message).toContain('GitHub did not answer');
  });
});

describe('an open live stream and a role that is taken away', () => {
  it('ends the stream of a viewer removed from their team, within the 10 minutes roles may lag, and not before', async () => {
    let now = Date.now();
    const { background, settled } = backgroundWork();
    const cache = createCache(redis, { now: () => now, background });
    const lookUp = (login: string) => lookUpRoles(login, environments, isMember);
    let checks = 0;
    const stillAllowed = async () => {
      checks++;
      return hasRole((await rolesOf('victor-viewer', { cache, lookUp })).roles, 'staging', 'viewer');
    };
    const connections = [new Redis(`${inject('redisUrl')}/9`), new Redis(`${inject('redisUrl')}/9`)];
    const hub = createLiveHub({
      redis: connections[0],
      subscriber: connections[1],
      load: async () => ({}),
      tickMs: 1_000,
    });
    const abort = new AbortController();
    const reader = liveEventStream(hub, 'staging', { signal: abort.signal, stillAllowed, recheckMs: 25 }).getReader();
    const decoder = new TextDecoder();
    let received = '';
    let closed = false;
    const ended = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          closed = true;
          return received;
        }
        received += decoder.decode(value, { stream: true });
      }
    })();
    try {
      // Still a viewer: the stream is checked again and again, and stays open.
      await expect.poll(() => checks).toBeGreaterThanOrEqual(4);
      expect(received).not.toContain('event: ended');

      github.setTeamMembers('acme/engineering', ['olivia-ops', 'sam-staging']); // an org admin removes him
      let minutes = 0;
      while (!closed && minutes < 10) {
        now += 60_000;
        minutes++;
        const atLeast = checks + 2;
        // The stream has asked at this minute (or has ended), and the refresh those checks started has landed.
        await expect.poll(() => closed || checks >= atLeast).toBe(true);
        await settled();
      }
      await expect.poll(() => closed, { message: 'the stream ended within 10 minutes of fake time' }).toBe(true);
      const text = await ended;
      expect(text).toContain(`event: ended\ndata: ${JSON.stringify({ reason: STREAM_ENDED_NO_ROLE })}`);
    } finally {
      github.setTeamMembers('acme/engineering', ['olivia-ops', 'sam-staging', 'victor-viewer']);
      abort.abort();
      await hub.close();
      for (const c of connections) c.disconnect();
    }
  });
});
