import { requireApiEnvironment } from '@/lib/auth';
import { previewDeploy } from '@/lib/deploy-preview';
import { HTTP_STATUS, toErrorInfo } from '@/lib/errors';
import { DeployInput } from '@/lib/github';
import { log } from '@/lib/log';

export const dynamic = 'force-dynamic';

/** GET ?ref=…[&imageTag=…]: what a deploy would change (commits, image), for its confirmation; operators only. */
export async function GET(request: Request, context: RouteContext<'/api/environments/[env]/deploys/preview'>) {
  const { env } = await context.params;
  const { environment, response } = await requireApiEnvironment(env, 'operator');
  if (response) return response;
  const params = new URL(request.url).searchParams;
  const input = DeployInput.safeParse({ ref: params.get('ref') ?? undefined, imageTag: params.get('imageTag') || undefined });
  if (!input.success) {
    const issue = input.error.issues[0];
    return Response.json({ error: { code: 'invalid_input', message: `${issue.path.join('.') || 'query'}: ${issue.message}` } }, { status: 400 });
  }
  try {
    return Response.json(await previewDeploy(environment, input.data), { headers: { 'cache-control': 'no-store' } });
  } catch (err) {
    const info = toErrorInfo(err);
    if (info.code === 'internal') log.error({ err, env }, 'deploy preview failed');
    const message = info.code === 'internal' ? 'the preview failed; see the server log' : info.message;
    return Response.json({ error: { code: info.code, message } }, { status: HTTP_STATUS[info.code] });
  }
}
