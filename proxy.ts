import { getToken } from 'next-auth/jwt';
import { NextResponse, type NextRequest } from 'next/server';
import { getConfig } from '@/lib/config';
import { listEnvironments } from '@/lib/environments';
import { AppError } from '@/model/errors';
import { errorResponse } from '@/lib/http';

/**
 * Runs before every request. Two jobs:
 * 1. Security headers on every response, with a fresh CSP nonce: Next puts it on its own
 *    scripts, so no inline script runs without it (no `unsafe-inline` or `unsafe-eval` for scripts in production).
 * 2. The first gate: a request without a session goes to sign-in (pages) or gets a 401 (API
 *    reads). An anonymous action (POST and the like) goes on to its handler, which refuses it
 *    401 and audits the attempt, as every refused action is (lib/actions.ts). Only a first gate: every page, route handler and live stream checks the session and the
 *    role again on the server (lib/auth.ts), since a valid cookie says nothing of roles.
 */
// /api/cron/ checks Vercel Cron's bearer secret itself: no session there.
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const PUBLIC = [/^\/api\/cron\//, /^\/api\/auth\//, /^\/signin\//, /^\/_next\/static\//, /^\/favicon\.svg$/];

/** Where a presigned evidence link points: each environment's artifacts bucket (virtual-hosted, as the SDK presigns), or the emulator. */
let artifactOriginsCache: string | undefined;
function artifactOrigins(endpoint: string | undefined): string {
  if (endpoint) return new URL(endpoint).origin;
  if (artifactOriginsCache === undefined) {
    try {
      artifactOriginsCache ??= listEnvironments()
        .filter((e) => e.artifacts)
        .map((e) => `https://${e.artifacts!.bucket}.s3.${e.aws.region}.amazonaws.com`)
        .join(' ');
    } catch {
      artifactOriginsCache = ''; // a bad registry stops the server elsewhere, with its reason
    }
  }
  return artifactOriginsCache ?? '';
}

function securityHeaders(nonce: string): Record<string, string> {
  const config = getConfig();
  const production = config.NODE_ENV === 'production';
  const https = (config.NEXTAUTH_URL ?? '').startsWith('https:') || config.VERCEL === '1';
  const oauth = new URL(config.GITHUB_OAUTH_URL).origin;
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${production ? '' : " 'unsafe-eval'"}`,
    "style-src 'self' 'unsafe-inline'", // uPlot and next-auth's pages set inline styles
    // Failure screenshots come through presigned links: from the artifacts buckets only (or the local emulator).
    `img-src 'self' data: https://avatars.githubusercontent.com ${artifactOrigins(config.AWS_ENDPOINT_URL)}`.trimEnd(),
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    // Sign-in posts to our own route, which redirects the form on to GitHub's authorize page.
    `form-action 'self' ${oauth}`,
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    ...(production && https ? { 'strict-transport-security': 'max-age=63072000; includeSubDomains' } : {}),
  };
}

function decodable(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

export async function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.randomUUID()).toString('base64');
  const headers = securityHeaders(nonce);
  const withHeaders = <R extends Response>(response: R): R => {
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    return response;
  };
  // Next reads the nonce from the request's CSP header and puts it on its scripts.
  const forwarded = new Headers(request.headers);
  forwarded.set('content-security-policy', headers['content-security-policy']);
  const next = () => withHeaders(NextResponse.next({ request: { headers: forwarded } }));

  const path = request.nextUrl.pathname;
  // A path whose percent-encoding is not UTF-8 names nothing here; Next's own decoding of the
  // route's parameters would fail with a bare 500, so it is refused first, plainly.
  if (!decodable(path)) {
    const message = 'the address is not valid percent-encoded UTF-8';
    return withHeaders(
      path.startsWith('/api/')
        ? errorResponse(new AppError('invalid_input', message))
        : new NextResponse(`Bad request: ${message}.`, {
            status: 400,
            headers: { 'content-type': 'text/plain; charset=utf-8' },
          }),
    );
  }
  if (PUBLIC.some((pattern) => pattern.test(path))) return next();
  // Chromium asks for /favicon.ico on pages that name no icon (next-auth's sign-in page): sent
  // to sign-in, it would become the callback a sign-in in progress lands on. Our icon is the SVG.
  if (path === '/favicon.ico') return withHeaders(NextResponse.redirect(new URL('/favicon.svg', request.url), 308));
  const token = await getToken({ req: request, secret: getConfig().NEXTAUTH_SECRET });
  if (token?.login) return next();
  if (path.startsWith('/api/') && STATE_CHANGING.has(request.method)) return next();
  if (path.startsWith('/api/')) {
    return withHeaders(errorResponse(new AppError('unauthorized', 'sign in first')));
  }
  const signIn = new URL('/api/auth/signin', request.url);
  signIn.searchParams.set('callbackUrl', `${path}${request.nextUrl.search}`);
  return withHeaders(NextResponse.redirect(signIn));
}

export const config = {
  // Everything but Next's image optimizer (unused); static files get their headers too.
  matcher: ['/((?!_next/image/).*)'],
};
