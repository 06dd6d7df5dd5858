import { timingSafeEqual } from 'node:crypto';
import { getConfig } from '@/lib/config';
import { AppError } from '@/model/errors';
import { errorResponse } from '@/lib/http';
import { listEnvironments } from '@/lib/environments';
import { getRedis } from '@/lib/redis';
import { getEnvironmentSnapshot } from '@/lib/snapshot';
import { trackStatus } from '@/lib/status-alerts';

export const dynamic = 'force-dynamic';
export const maxDuration = 60;

function authorized(header: string | null, secret: string): boolean {
  const expected = Buffer.from(`Bearer ${secret}`);
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * GET, from Vercel Cron (vercel.json, every minute) with `Authorization: Bearer $CRON_SECRET`:
 * judges every environment's status, so a change is announced even when no dashboard is open.
 * Through the shared cache, so it adds no AWS calls while someone is watching.
 */
export async function GET(request: Request) {
  const secret = getConfig().CRON_SECRET;
  if (!secret) return errorResponse(new AppError('not_found', 'no CRON_SECRET: scheduled status checks are off'));
  if (!authorized(request.headers.get('authorization'), secret))
    return errorResponse(new AppError('unauthorized', 'the cron secret is required'));
  const redis = getRedis();
  const results = await Promise.all(
    listEnvironments().map(async (env) => {
      const snapshot = await getEnvironmentSnapshot(env);
      const change = await trackStatus(env, snapshot.status, { redis });
      return {
        environment: env.name,
        status: snapshot.status.status,
        announced: change ? `${change.from} -> ${change.to}` : null,
      };
    }),
  );
  return Response.json({ environments: results }, { headers: { 'cache-control': 'no-store' } });
}
