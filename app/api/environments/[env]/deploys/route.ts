import { handleAction } from '@/lib/actions';
import { deployAction } from '@/lib/operator-actions';

/** POST {ref, imageTag?}: dispatches the deploy workflow; operators only, with an Idempotency-Key. */
export async function POST(request: Request, context: RouteContext<'/api/environments/[env]/deploys'>) {
  const { env } = await context.params;
  return handleAction(request, deployAction(env));
}
