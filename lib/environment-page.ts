import 'server-only';
import { notFound } from 'next/navigation';
import { z } from 'zod';
import { authorize, authorizePage } from './auth';
import { getEnvironment, serviceRoleNamed, type Environment } from './environments';
import { toErrorInfo, type ErrorInfo } from '../model/errors';
import type { ServiceRole } from '../contracts/platform';
import { DEFAULT_RANGE, RANGES, type RangeName } from '../model/ranges';

/** A page's `?range=`: a missing or unknown range falls back to the default, so a bad link still shows the page. */
export const RangeParam = z.enum(Object.keys(RANGES) as [RangeName, ...RangeName[]]).catch(DEFAULT_RANGE);

/** The environment a route names, or the app's 404 page: never a 500 for an unknown name. */
export function environmentOr404(name: string): Environment {
  return getEnvironment(name) ?? notFound();
}

/**
 * The environment a page shows, for the person asking: sign-in first (redirect), then the
 * 404 for an unknown name, then the 403 page without a role in it.
 */
export async function viewableEnvironment(name: string): Promise<Environment> {
  return (await authorizePage(name, 'viewer')).environment;
}

/**
 * What the operator controls need to act on this environment, when the person asking is one
 * of its operators; null for a viewer (who sees no action buttons).
 */
export async function operatorTarget(environment: Environment): Promise<{ env: string; production: boolean } | null> {
  const access = await authorize(environment.name, 'operator');
  return 'error' in access ? null : { env: environment.name, production: environment.production };
}

/** The service a route names (`api` or `worker`), or the 404 page. */
export function serviceOr404(name: string): ServiceRole {
  return serviceRoleNamed(name) ?? notFound();
}

/** A read done for one page view (not cached): its value, or its error as the panels show errors. */
export async function readOnce<T>(
  read: Promise<T>,
): Promise<{ value: T | null; error: ErrorInfo | null; ageMs: number | null }> {
  try {
    return { value: await read, error: null, ageMs: 0 };
  } catch (err) {
    return { value: null, error: toErrorInfo(err), ageMs: null };
  }
}

/** The queue a route names, if the environment has it, or the 404 page. */
export function queueOr404(env: Environment, name: string): string {
  if (!env.queues.names.includes(name)) notFound();
  return name;
}
