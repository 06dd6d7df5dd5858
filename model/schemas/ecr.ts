/** The ecr DTOs: plain zod schemas, browser-safe (no server-only), so live payloads are checked in the browser too. */
import { z } from 'zod';
import { SERVICE_ROLES } from '../../contracts/platform';

export const ImageSchema = z.object({
  digest: z.string(),
  tags: z.array(z.string()),
  pushedAt: z.iso.datetime().nullable(),
  sizeBytes: z.number().nullable(),
});

export type Image = z.infer<typeof ImageSchema>;

export const RepositoryImagesSchema = z.record(
  z.enum(SERVICE_ROLES),
  z.object({ repository: z.string(), images: z.array(ImageSchema) }),
);

export type RepositoryImages = z.infer<typeof RepositoryImagesSchema>;
