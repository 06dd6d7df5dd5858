import { environmentOr404 } from '@/lib/environment-page';

/**
 * Checks the environment's name before anything streams: the page below has a loading
 * state, and a 404 decided after streaming starts would go out with status 200.
 */
export default async function EnvironmentLayout({ children, params }: LayoutProps<'/environments/[env]'>) {
  environmentOr404((await params).env);
  return children;
}
