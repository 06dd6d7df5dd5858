import { z } from 'zod';
import { readRoute } from '@/lib/read-route';
import { searchJobs, SearchQuery } from '@/lib/job-search';

export const dynamic = 'force-dynamic';

/** GET ?q=: jobs by id, host or URL (lib/job-search.ts); viewers and operators of the environment. */
export const GET = readRoute({
  role: 'viewer',
  query: z.object({ q: z.string().default('').pipe(SearchQuery) }),
  handle: async ({ environment, query }) => ({ jobs: await searchJobs(environment, query.q) }),
});
