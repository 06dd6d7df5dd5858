/**
 * The bodies the operator-action routes accept: plain zod schemas, no server-only, so the
 * tests generate inputs from them (tests/support/schema-arbitrary.ts). The actions themselves
 * are lib/operator-actions.ts.
 */
import { z } from 'zod';
import { GIT_REF_PATTERN, IMAGE_TAG_PATTERN } from '../../contracts/platform';

/** What a deploy asks the workflow for (its `ref` and `image_tag` inputs). */
export const DeployInput = z.object({
  ref: z.string().regex(GIT_REF_PATTERN, 'must be a branch, tag or commit SHA'),
  imageTag: z.string().regex(IMAGE_TAG_PATTERN, 'must be a Docker image tag').optional(),
});
export type DeployInput = z.infer<typeof DeployInput>;

export const ServiceActionBody = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('redeploy') }),
  z.strictObject({ action: z.literal('scale'), desiredCount: z.number().int().min(0).max(1_000) }),
  z.strictObject({
    action: z.literal('rollback'),
    revision: z.number().int().positive(),
    reason: z.string().trim().min(3, 'say why (at least 3 characters)').max(500),
  }),
]);
export type ServiceActionBody = z.infer<typeof ServiceActionBody>;

export const DeployBody = z.strictObject({ ref: DeployInput.shape.ref, imageTag: DeployInput.shape.imageTag });
export const QueueActionBody = z.strictObject({ action: z.enum(['pause', 'resume', 'retry-failed']) });
export const JobActionBody = z.strictObject({ action: z.enum(['retry', 'remove']) });
