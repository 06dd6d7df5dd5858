/** The chart ranges an operator can pick, as they appear in the URL (?range=6h). Browser-safe. */
import { z } from 'zod';

export const RANGES = { '1h': 60, '3h': 180, '6h': 360, '24h': 1440, '7d': 10080 } as const;
export type RangeName = keyof typeof RANGES;
export const DEFAULT_RANGE: RangeName = '3h';

/** A missing or unknown range falls back to the default: a bad link still shows the page. */
export const RangeParam = z.enum(Object.keys(RANGES) as [RangeName, ...RangeName[]]).catch(DEFAULT_RANGE);
