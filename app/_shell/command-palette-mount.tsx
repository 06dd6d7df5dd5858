import { hasRole } from '@/lib/access';
import { getSignedInUser } from '@/lib/auth';
import { listEnvironments } from '@/lib/environments';
import { CommandPaletteKeys, type PaletteEnvironment } from '@/components/command-palette-keys';

/** The palette's places: the environments the signed-in person may see, with their queues. Nothing for nobody. */
export async function CommandPaletteMount() {
  const user = await getSignedInUser();
  if (!user) return null;
  const environments: PaletteEnvironment[] = listEnvironments()
    .filter((e) => hasRole(user.roles, e.name, 'viewer'))
    .map((e) => ({ name: e.name, production: e.production, queues: e.queues.names }));
  return <CommandPaletteKeys environments={environments} />;
}
