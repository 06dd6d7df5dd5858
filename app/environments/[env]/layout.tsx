import { viewableEnvironment } from '@/lib/environment-page';

/**
 * Checks the environment's name and the person's role in it before anything streams: the
 * pages below have loading states, and a 404 or 403 decided after streaming starts would go
 * out with status 200. The pages check again (a client navigation does not re-run this).
 */
export default async function EnvironmentLayout({ children, params }: LayoutProps<'/environments/[env]'>) {
  await viewableEnvironment((await params).env);
  return children;
}
