import { serviceOr404 } from '@/lib/environment-page';

/** Checks the service's name before anything streams (see the environment's layout). */
export default async function ServiceLayout({
  children,
  params,
}: LayoutProps<'/environments/[env]/services/[service]'>) {
  serviceOr404((await params).service);
  return children;
}
