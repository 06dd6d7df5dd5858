import { handleAction } from '@/lib/actions';
import { jobAction } from '@/lib/operator-actions';

/** POST {action: retry | remove} for one job: operators only, with an Idempotency-Key. */
export async function POST(
  request: Request,
  context: RouteContext<'/api/environments/[env]/queues/[queue]/jobs/[job]'>,
) {
  const { env, queue, job } = await context.params;
  return handleAction(request, jobAction(env, queue, job));
}
