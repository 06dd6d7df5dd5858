import { requireApiEnvironment } from '@/lib/auth';
import { HTTP_STATUS, toErrorInfo } from '@/lib/errors';
import { searchJobs, SearchQuery } from '@/lib/job-search';

export const dynamic = 'force-dynamic';

/** GET ?q=: jobs by id, host or URL (lib/job-search.ts); viewers and operators of the environment. */
export async function GET(request: Request, context: RouteContext<'/api/environments/[env]/jobs/search'>) {
  const { env } = await context.params;
  const { environment, response } = await requireApiEnvironment(env, 'viewer');
  if (response) return response;
  const query = SearchQuery.safeParse(new URL(request.url).searchParams.get('q') ?? '');
  if (!query.success) return Response.json({ error: { code: 'invalid_input', message: `q: ${query.error.issues[0].message}` } }, { status: 400 });
  try {
    return Response.json({ jobs: await searchJobs(environment, query.data) }, { headers: { 'cache-control': 'no-store' } });
  } catch (err) {
    const info = toErrorInfo(err);
    return Response.json({ error: { code: info.code, message: info.code === 'internal' ? 'the search failed' : info.message } }, { status: HTTP_STATUS[info.code] });
  }
}
