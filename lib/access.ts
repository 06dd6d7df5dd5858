import 'server-only';
import { z } from 'zod';
import type { Cache } from './cache';
import { sharedCache } from './snapshot';
import { listEnvironments, type Environment } from './environments';
import { toErrorInfo, type ErrorInfo } from '../model/errors';
import { isActiveTeamMember } from './github';
import { cacheNames } from '../contracts/keys';

/**
 * Who may do what, per environment: `viewer` (sees it) or `operator` (also acts on it), from
 * GitHub team membership or a list of logins in the registry. Looked up with the control
 * plane's GitHub credentials, kept in the shared cache for a few minutes, and never trusted
 * when older than ROLES_MAX_AGE_MS: someone removed from a team loses their rights within that
 * time, not when their session cookie expires.
 */
export const ROLES = ['viewer', 'operator'] as const;
export type Role = (typeof ROLES)[number];
/** Environment name to role; an environment that is not there is one the person has no role in. */
export const RolesSchema = z.record(z.string(), z.enum(ROLES));
export type Roles = z.infer<typeof RolesSchema>;

/** Looked up again after 4 minutes (served meanwhile while it refreshes): always younger than the limit below. */
const ROLES_POLICY = { ttlMs: 4 * 60_000, maxStaleMs: 6 * 60_000 };
export const ROLES_MAX_AGE_MS = 10 * 60_000;

const sameLogin = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Asks GitHub: each team once (in parallel), however many environments name it. */
export async function lookUpRoles(
  login: string,
  environments: Environment[] = listEnvironments(),
  isMember: (team: string, login: string) => Promise<boolean> = isActiveTeamMember,
): Promise<Roles> {
  const teams = [
    ...new Set(environments.flatMap((env) => [...env.access.operators.teams, ...env.access.viewers.teams])),
  ];
  const membership = new Map(
    await Promise.all(teams.map(async (team) => [team, await isMember(team, login)] as const)),
  );
  const includes = (principals: Environment['access']['operators']) =>
    principals.logins.some((l) => sameLogin(l, login)) || principals.teams.some((team) => membership.get(team));
  const roles: Roles = {};
  for (const env of environments) {
    if (includes(env.access.operators)) roles[env.name] = 'operator';
    else if (includes(env.access.viewers)) roles[env.name] = 'viewer';
  }
  return roles;
}

/** A person's roles as the shared cache has them; none (with the reason) when they cannot be trusted. */
export async function rolesOf(
  login: string,
  { cache = sharedCache(), lookUp = lookUpRoles }: { cache?: Cache; lookUp?: (login: string) => Promise<Roles> } = {},
): Promise<{ roles: Roles; error: ErrorInfo | null }> {
  const cached = await cache.get(cacheNames.roles(login), ROLES_POLICY, RolesSchema, () => lookUp(login));
  if (cached.value && cached.ageMs !== null && cached.ageMs <= ROLES_MAX_AGE_MS)
    return { roles: cached.value, error: cached.error };
  return {
    roles: {},
    error: cached.error ?? {
      code: 'upstream_failed',
      message: 'your roles could not be checked with GitHub',
      upstream: 'GitHub',
      requestId: null,
    },
  };
}

/** At sign-in: asked fresh, and the cached answer dropped so pages ask afresh too. */
export async function lookUpRolesAtSignIn(login: string): Promise<{ roles: Roles; error: ErrorInfo | null }> {
  try {
    const roles = await lookUpRoles(login);
    await sharedCache()
      .forget(cacheNames.roles(login))
      .catch(() => {});
    return { roles, error: null };
  } catch (err) {
    return { roles: {}, error: toErrorInfo(err) };
  }
}

/** Operators may do what viewers may. */
export function hasRole(roles: Roles, environment: string, needed: Role): boolean {
  const role = roles[environment];
  return role === 'operator' || (role === 'viewer' && needed === 'viewer');
}
