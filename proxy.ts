import { getToken } from 'next-auth/jwt';
import { NextResponse, type NextRequest } from 'next/server';
import { getConfig } from '@/lib/config';

/**
 * The first gate: a request without a session cookie goes to sign-in (pages) or gets a 401
 * (API). Only a first gate: every page, route handler and live stream checks the session and
 * the role again on the server (lib/auth.ts), since a valid cookie says nothing of roles.
 */
export async function proxy(request: NextRequest) {
  const token = await getToken({ req: request, secret: getConfig().NEXTAUTH_SECRET });
  if (token?.login) return NextResponse.next();
  if (request.nextUrl.pathname.startsWith('/api/')) {
    return NextResponse.json({ error: { code: 'unauthorized', message: 'sign in first' } }, { status: 401 });
  }
  const signIn = new URL('/api/auth/signin', request.url);
  signIn.searchParams.set('callbackUrl', `${request.nextUrl.pathname}${request.nextUrl.search}`);
  return NextResponse.redirect(signIn);
}

export const config = {
  // Everything but sign-in itself, the refusal page and static files.
  matcher: ['/((?!api/auth/|signin/|_next/static/|_next/image/|favicon\\.svg$).*)'],
};
