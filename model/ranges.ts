/**
 * The chart ranges an operator can pick, as they appear in the URL (?range=6h). Browser-safe and
 * free of zod (the charts import it; zod stays out of the first-load JavaScript).
 */

export const RANGES = { '1h': 60, '3h': 180, '6h': 360, '24h': 1440, '7d': 10080 } as const;
export type RangeName = keyof typeof RANGES;
export const DEFAULT_RANGE: RangeName = '3h';
