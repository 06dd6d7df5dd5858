import NextAuth from 'next-auth';
import { authOptions } from '@/lib/auth';

/** next-auth's routes: sign-in and sign-out pages, the OAuth callback, the session and CSRF token. */
type Context = RouteContext<'/api/auth/[...nextauth]'>;
const handle = (request: Request, context: Context) => NextAuth(authOptions())(request, context) as Promise<Response>;

export { handle as GET, handle as POST };
