import { handleAction } from '@/lib/actions';
import { queueAction } from '@/lib/operator-actions';

/** POST {action: pause | resume | retry-failed}: operators only, with an Idempotency-Key. */
export async function POST(request: Request, context: RouteContext<'/api/environments/[env]/queues/[queue]'>) {
  const { env, queue } = await context.params;
  return handleAction(request, queueAction(env, queue));
}
