import { viewableEnvironment } from '@/lib/environment-page';
import { environmentColour } from '@/lib/environments';

/**
 * Checks the environment's name and the person's role in it before anything streams: the
 * pages below have loading states, and a 404 or 403 decided after streaming starts would go
 * out with status 200. The pages check again (a client navigation does not re-run this).
 * Every page of an environment sits under a band of its colour, so production never looks like staging.
 */
export default async function EnvironmentLayout({ children, params }: LayoutProps<'/environments/[env]'>) {
  const environment = await viewableEnvironment((await params).env);
  const colour = environmentColour(environment);
  return (
    <div
      data-testid="environment-frame"
      data-colour={colour}
      className="-mt-6 border-t-4 pt-3"
      style={{ borderTopColor: colour }}
    >
      <p className="mb-3">
        <span
          className="inline-flex items-center gap-1.5 rounded px-2 py-0.5 text-xs font-semibold tracking-wider text-white uppercase"
          style={{ backgroundColor: colour }}
        >
          {environment.name}
          {environment.production && !environment.name.includes('prod') && <span>· production</span>}
        </span>
      </p>
      {children}
    </div>
  );
}
