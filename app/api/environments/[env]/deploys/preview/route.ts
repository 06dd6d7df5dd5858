import { z } from 'zod';
import { previewDeploy } from '@/lib/deploy-preview';
import { readRoute } from '@/lib/read-route';
import { DeployInput } from '@/model/schemas/actions';

export const dynamic = 'force-dynamic';

/** GET ?ref=…[&imageTag=…]: what a deploy would change (commits, image), for its confirmation; operators only. */
export const GET = readRoute({
  role: 'operator',
  // An empty imageTag is none (the form sends the field empty).
  query: z.preprocess(
    (q) => ({ ...(q as object), imageTag: (q as { imageTag?: string }).imageTag || undefined }),
    DeployInput,
  ),
  handle: ({ environment, query }) => previewDeploy(environment, query),
});
