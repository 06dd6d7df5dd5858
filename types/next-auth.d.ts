import 'next-auth';
import 'next-auth/jwt';

// What Pilothouse keeps in its session: the GitHub login (roles are looked up, never stored).
declare module 'next-auth' {
  interface Session {
    user: { login: string; name?: string | null; image?: string | null };
  }
  interface Profile {
    login?: string;
  }
}

declare module 'next-auth/jwt' {
  interface JWT {
    login?: string;
  }
}
