import { handleAction } from '@/lib/actions';
import { serviceAction } from '@/lib/operator-actions';

/** POST {action: redeploy | scale (desiredCount) | rollback (revision, reason)}: operators only, with an Idempotency-Key. */
export async function POST(request: Request, context: RouteContext<'/api/environments/[env]/services/[service]'>) {
  const { env, service } = await context.params;
  return handleAction(request, serviceAction(env, service));
}
