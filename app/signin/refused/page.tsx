import type { Metadata } from 'next';
import { TextLink } from '@/components/ui';

export const metadata: Metadata = { title: 'Sign-in refused · Pilothouse' };

const REASONS: Record<string, string> = {
  'no-role':
    'has no role in any environment. Roles come from GitHub team membership (or a list of logins) in the environment registry; ask the platform team to add you.',
  lookup: 'could not be checked: GitHub did not answer the team membership lookup. Try again in a minute.',
  profile: 'could not be read from GitHub.',
};

/** Where sign-in sends someone it refuses, with the reason (public: they are not signed in). */
export default async function SignInRefused({ searchParams }: PageProps<'/signin/refused'>) {
  const { reason, login } = await searchParams;
  // Own keys only: `?reason=__proto__` is not a reason.
  const why = typeof reason === 'string' && Object.hasOwn(REASONS, reason) ? REASONS[reason] : REASONS['no-role'];
  const named = typeof login === 'string' && /^[A-Za-z0-9-]{1,39}$/.test(login) ? login : null;
  return (
    <div className="mx-auto max-w-xl space-y-3 py-12">
      <h1 className="text-xl font-semibold">Sign-in refused</h1>
      <p data-testid="refusal">
        {named ? <span className="font-mono">{named}</span> : 'This GitHub account'} {why}
      </p>
      <TextLink href="/api/auth/signin" className="font-medium">
        Sign in with another account
      </TextLink>
    </div>
  );
}
