import 'server-only';
import type { z } from 'zod';
import type { Role } from './access';
import { authorizeOrThrow, type Access } from './auth';
import { invalidInput } from '../model/errors';
import { errorResponse } from './http';

/**
 * What `handleAction` (lib/actions.ts) is for actions, for GET routes under
 * /api/environments/[env]: authorized (401/404/403), the query parsed with zod (400 naming the
 * field), the handler run, and every error answered by `errorResponse`.
 */
export type ReadContext<Q> = Access & {
  request: Request;
  query: Q;
  /** The route's other path segments ([service], [queue], …), as given: check them before use. */
  params: Record<string, string>;
};

export type ReadRouteSpec<Q> = {
  /** The role in the environment the URL names (lib/auth.ts `authorize`). */
  role: Role;
  /** The search parameters, as an object of strings: 400 with the field when refused. */
  query?: z.ZodType<Q>;
  /** Returns the JSON body (sent with no-store), or a Response of its own (a stream). */
  handle: (context: ReadContext<Q>) => Promise<unknown>;
};

export function readRoute<Q = Record<string, never>>(spec: ReadRouteSpec<Q>) {
  return async (request: Request, context: { params: Promise<{ env: string }> }): Promise<Response> => {
    try {
      const params: Record<string, string> = await context.params;
      const access = await authorizeOrThrow(params.env, spec.role);
      let query = {} as Q;
      if (spec.query) {
        const parsed = spec.query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
        if (!parsed.success) throw invalidInput(parsed.error, 'query');
        query = parsed.data;
      }
      const result = await spec.handle({ ...access, request, query, params });
      return result instanceof Response ? result : Response.json(result, { headers: { 'cache-control': 'no-store' } });
    } catch (err) {
      return errorResponse(err);
    }
  };
}
