import 'server-only';
import { notFound } from 'next/navigation';
import { listEnvironments, type Environment } from './environments';

/** The environment a route names, or the app's 404 page: never a 500 for an unknown name. */
export function environmentOr404(name: string): Environment {
  const environment = listEnvironments().find((e) => e.name === name);
  if (!environment) notFound();
  return environment;
}
