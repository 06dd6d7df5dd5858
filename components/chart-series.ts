/** What every chart shares, in a module of its own: importing it does not bring a panel's code along. */
import type { SeriesId } from '@/model/schemas/cloudwatch';

export const CHART_HEIGHT = 160;
export type ChartSeries = { id: SeriesId; label: string; color: string };
