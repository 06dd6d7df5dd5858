import { getSignedInUser } from '@/lib/auth';
import { MUTED } from '@/components/ui';

/** Who is signed in, their role per environment, and the way out. Nothing when nobody is. */
export async function SignedInAs() {
  const user = await getSignedInUser();
  if (!user) return null;
  const roles = Object.entries(user.roles)
    .map(([env, role]) => `${role} of ${env}`)
    .join(', ');
  return (
    <div className="flex min-w-0 items-center gap-3 text-sm" data-testid="signed-in-as">
      <span className="min-w-0 truncate">
        <span className="font-medium">{user.login}</span>
        <span className={`hidden md:inline ${MUTED}`} data-testid="roles">
          {' '}
          · {roles || 'no role'}
        </span>
      </span>
      {/* eslint-disable-next-line @next/next/no-html-link-for-pages -- next-auth's sign-out page is a route handler: a full navigation, not a client one */}
      <a
        href="/api/auth/signout"
        className="shrink-0 text-sky-700 underline-offset-2 hover:underline dark:text-sky-300"
      >
        Sign out
      </a>
    </div>
  );
}
