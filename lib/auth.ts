import 'server-only';
import { randomUUID } from 'node:crypto';
import { getServerSession, type NextAuthOptions } from 'next-auth';
import GithubProvider from 'next-auth/providers/github';
import { forbidden, notFound, redirect } from 'next/navigation';
import { cache } from 'react';
import { hasRole, lookUpRolesAtSignIn, rolesOf, type Role, type Roles } from './access';
import { auditQuietly } from './audit';
import { getConfig } from './config';
import { getEnvironmentOrThrow, type Environment } from './environments';
import { AppError, UpstreamError, type ErrorInfo } from '../model/errors';

/**
 * Sign-in with GitHub (next-auth 4, JWT sessions in an HTTP-only, SameSite=Lax cookie, Secure
 * when the site is https), and the one place that decides whether a request may see or do
 * something. The provider's URLs come from config, so locally and in tests the same code signs
 * in against the GitHub stand-in: there is no other way in.
 */

/** How long a session lasts; roles inside it are looked up again far more often (lib/access.ts). */
const SESSION_MAX_AGE_S = 8 * 60 * 60;

export function authOptions(): NextAuthOptions {
  const config = getConfig();
  const api = config.GITHUB_API_URL.replace(/\/$/, '');
  const oauth = config.GITHUB_OAUTH_URL.replace(/\/$/, '');
  return {
    secret: config.NEXTAUTH_SECRET,
    session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_S },
    theme: { colorScheme: 'auto', brandColor: '#0369a1', buttonText: '#ffffff' },
    providers: [
      GithubProvider({
        clientId: config.GITHUB_OAUTH_CLIENT_ID ?? '',
        clientSecret: config.GITHUB_OAUTH_CLIENT_SECRET ?? '',
        // Only who you are: roles come from team membership, asked with the App's credentials.
        authorization: { url: `${oauth}/login/oauth/authorize`, params: { scope: 'read:user' } },
        token: `${oauth}/login/oauth/access_token`,
        userinfo: {
          url: `${api}/user`,
          // The provider's own request also calls api.github.com/user/emails; we need no email.
          async request({ tokens }) {
            const response = await fetch(`${api}/user`, {
              headers: {
                authorization: `Bearer ${tokens.access_token}`,
                accept: 'application/vnd.github+json',
                'user-agent': 'pilothouse',
              },
              signal: AbortSignal.timeout(6_000),
            });
            if (!response.ok) throw new UpstreamError('GitHub', `GitHub GET /user answered ${response.status}`);
            return (await response.json()) as Record<string, unknown>;
          },
        },
        profile(profile) {
          return {
            id: String(profile.id),
            name: profile.name ?? profile.login,
            email: null,
            image: profile.avatar_url,
          };
        },
      }),
    ],
    callbacks: {
      async signIn({ profile }) {
        const login = profile?.login;
        if (!login) return '/signin/refused?reason=profile';
        const { roles, error } = await lookUpRolesAtSignIn(login);
        const allowed = Object.keys(roles).length > 0;
        await auditQuietly({
          user: login,
          role: null,
          action: 'sign-in',
          environment: null,
          target: null,
          params: {},
          result: allowed ? 'ok' : 'refused',
          status: allowed ? 200 : 403,
          requestId: randomUUID(),
          detail: allowed
            ? `roles: ${describeRoles(roles)}`
            : error
              ? `roles could not be checked: ${error.message}`
              : 'no role in any environment',
        });
        if (error) return `/signin/refused?reason=lookup&login=${encodeURIComponent(login)}`;
        if (!allowed) return `/signin/refused?reason=no-role&login=${encodeURIComponent(login)}`;
        return true;
      },
      async jwt({ token, profile }) {
        if (profile?.login) token.login = profile.login;
        return token;
      },
      async session({ session, token }) {
        session.user = { login: token.login ?? '', name: session.user?.name, image: session.user?.image };
        return session;
      },
      // After sign-in or sign-out, only ever back to this site (next-auth's rule, kept explicit).
      async redirect({ url, baseUrl }) {
        if (url.startsWith('/') && !url.startsWith('//')) return `${baseUrl}${url}`;
        try {
          if (new URL(url).origin === baseUrl) return url;
        } catch {
          // not a URL: home
        }
        return baseUrl;
      },
    },
  };
}

export function describeRoles(roles: Roles): string {
  return (
    Object.entries(roles)
      .map(([env, role]) => `${role} of ${env}`)
      .join(', ') || 'none'
  );
}

export type SignedInUser = { login: string; name: string | null; roles: Roles; rolesError: ErrorInfo | null };

/** The person behind this request, with their current roles; null when nobody is signed in (once per render). */
export const getSignedInUser = cache(readSignedInUser);

async function readSignedInUser(): Promise<SignedInUser | null> {
  const session = await getServerSession(authOptions());
  const login = session?.user?.login;
  if (!login) return null;
  const { roles, error } = await rolesOf(login);
  return { login, name: session.user.name ?? null, roles, rolesError: error };
}

export type Access = { user: SignedInUser; environment: Environment };

/** Whether someone still has a role now (their current roles, as `authorize` reads them): for what outlives one request, such as a live stream. */
export async function stillHasRole(login: string, environmentName: string, needed: Role): Promise<boolean> {
  return hasRole((await rolesOf(login)).roles, environmentName, needed);
}
/** A refused request: its AppError, and who asked when that is known (the audit names them). */
export type AccessRefused = { user: SignedInUser | null; error: AppError };

/**
 * The one authorization decision, for pages, read routes and actions alike: someone signed in
 * (unauthorized), a known environment (not_found), and the role in it (forbidden). Roles are
 * the person's current ones (lib/access.ts), never the session's. The adapters below turn a
 * refusal into what each kind of request answers.
 */
export async function authorize(environmentName: string, needed: Role): Promise<Access | AccessRefused> {
  const user = await getSignedInUser();
  if (!user) return { user: null, error: new AppError('unauthorized', 'sign in first') };
  let environment: Environment;
  try {
    environment = getEnvironmentOrThrow(environmentName);
  } catch (err) {
    if (err instanceof AppError) return { user, error: err };
    throw err;
  }
  if (!hasRole(user.roles, environment.name, needed)) {
    const why = user.rolesError
      ? `your roles could not be checked: ${user.rolesError.message}`
      : `you are not ${needed === 'operator' ? 'an operator' : 'a viewer'} of ${environment.name}`;
    return { user, error: new AppError('forbidden', why) };
  }
  return { user, environment };
}

/** For read routes: the access, or its refusal thrown as an AppError (lib/http.ts answers it 401/403/404 JSON). */
export async function authorizeOrThrow(environmentName: string, needed: Role): Promise<Access> {
  const access = await authorize(environmentName, needed);
  if ('error' in access) throw access.error;
  return access;
}

/** For pages: the sign-in redirect, the app's 404 page, or its 403 page. */
export async function authorizePage(environmentName: string, needed: Role): Promise<Access> {
  const access = await authorize(environmentName, needed);
  if (!('error' in access)) return access;
  if (access.error.code === 'unauthorized') redirect('/api/auth/signin');
  if (access.error.code === 'not_found') notFound();
  forbidden();
}

/** For pages that only need someone signed in (the overview shows what they may see). */
export async function requireSignedInPage(): Promise<SignedInUser> {
  const user = await getSignedInUser();
  if (!user) redirect('/api/auth/signin');
  return user;
}
