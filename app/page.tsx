import { connection } from 'next/server';
import { EnvironmentCard } from '@/components/environment-card';
import { LiveEnvironment } from '@/components/live/live-environment';
import { SharedCacheDown } from '@/components/ui';
import { requireSignedInPage } from '@/lib/auth';
import { getOverview, sharedCacheError } from '@/lib/overview';

/**
 * On purpose: every AWS and GitHub call times out within seconds (lib/aws/clients.ts,
 * lib/github.ts), so a render that runs longer than this is stuck, and is cut here rather
 * than at the platform's default.
 */
export const maxDuration = 30;

export default async function OverviewPage() {
  await connection(); // live data: render per request, never at build time
  const user = await requireSignedInPage();
  const environments = await getOverview(user.roles);
  const cacheDown = sharedCacheError(environments);
  return (
    <div className="space-y-6">
      <h1 className="text-xl font-semibold">Environments</h1>
      {cacheDown && <SharedCacheDown message={cacheDown.message} />}
      <div className="grid gap-6 xl:grid-cols-2">
        {environments.map((snapshot) => (
          // Version 0: the server's render; the stream's first message (version 1 or more) replaces it.
          <LiveEnvironment
            key={snapshot.environment.name}
            initial={{ version: 0, at: new Date().toISOString(), snapshot }}
          >
            <EnvironmentCard />
          </LiveEnvironment>
        ))}
      </div>
    </div>
  );
}
