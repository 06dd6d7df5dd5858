/**
 * An environment's snapshot, as the server renders it and the live stream sends it: browser-
 * safe, so the client checks every live message against the same schema the server wrote.
 */
import { z } from 'zod';
import { cachedSchema, type CachedSchema } from './cache';
import { SNAPSHOT_SOURCES, SOURCE_NAMES, type SourceName } from './sources';

export { cachedSchema } from './cache';
export { EcsPartSchema } from './sources';

type PartSchemas = { [N in SourceName]: CachedSchema<(typeof SNAPSHOT_SOURCES)[N]['schema']> };
/** One cached part per source of the table (./sources.ts). */
const PART_SCHEMAS = Object.fromEntries(
  SOURCE_NAMES.map((name) => [name, cachedSchema(SNAPSHOT_SOURCES[name].schema)]),
) as PartSchemas;

/** The overall status and why (model/status.ts), decided once on the server for every viewer. */
export const StatusVerdictSchema = z.object({
  status: z.enum(['healthy', 'degraded', 'down']),
  reasons: z.array(z.string()),
  /** Sources the verdict rests on whose last read failed: it is judged on their older values. */
  unrefreshed: z.array(z.string()),
  /**
   * Sources the rules read that a page did not wait for (still loading, lib/snapshot.ts
   * graceMs): the verdict is as far as the others go. Absent when there are none.
   */
  pending: z.array(z.string()).optional(),
});
export type StatusVerdict = z.infer<typeof StatusVerdictSchema>;

export const EnvironmentSnapshotSchema = z.object({
  environment: z.object({
    name: z.string(),
    region: z.string(),
    production: z.boolean(),
    cluster: z.string(),
    colour: z.string().regex(/^#[0-9a-fA-F]{6}$/),
  }),
  ...PART_SCHEMAS,
  status: StatusVerdictSchema,
});
export type EnvironmentSnapshot = z.infer<typeof EnvironmentSnapshotSchema>;
/** What the status rules read: every part, before the status is decided. */
export type SnapshotParts = Omit<EnvironmentSnapshot, 'status'>;
/** One source's part of the snapshot: its value (maybe old), age and error. */
export type SnapshotPart<N extends SourceName> = EnvironmentSnapshot[N];

/** Each part of a snapshot with its source's name, in the table's order. */
export function snapshotParts(snapshot: SnapshotParts): { name: SourceName; part: SnapshotPart<SourceName> }[] {
  return SOURCE_NAMES.map((name) => ({ name, part: snapshot[name] }));
}

/** One message of /api/environments/{env}/live (lib/live.ts). */
export const LiveSnapshotMessageSchema = z.object({
  version: z.number().int().positive(),
  at: z.iso.datetime(),
  snapshot: EnvironmentSnapshotSchema,
});
export type LiveSnapshotMessage = z.infer<typeof LiveSnapshotMessageSchema>;
