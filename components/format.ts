/**
 * The one duration format and the one absolute time format of the UI, with Intl (so a unit or
 * a date reads as the browser's locale writes it, on the server and in the browser alike).
 */
const UNITS = [
  { unit: 'second', ms: 1_000, below: 60 },
  { unit: 'minute', ms: 60_000, below: 60 },
  { unit: 'hour', ms: 3_600_000, below: 48 },
  { unit: 'day', ms: 86_400_000, below: Infinity },
] as const;
const durationFormats = new Map(
  UNITS.map(({ unit }) => [unit, new Intl.NumberFormat('en', { style: 'unit', unit, unitDisplay: 'narrow' })]),
);

/** A duration in its largest sensible unit, rounded: 45s, 12m, 3h, 2d; `never` for none. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return 'never';
  for (const { unit, ms: size, below } of UNITS) {
    const count = Math.round(ms / size);
    if (count < below) return durationFormats.get(unit)!.format(count);
  }
  return durationFormats.get('day')!.format(Math.round(ms / 86_400_000));
}

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** An absolute time, for a title or a table: the date and the time of day, in the reader's zone. */
export function formatTime(at: string | number | Date): string {
  return timeFormat.format(new Date(at));
}

const logTimeFormat = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  fractionalSecondDigits: 3,
  hour12: false,
});

/** A log line's time: to the millisecond, since lines a few ms apart must read apart. */
export function formatLogTime(at: number): string {
  return logTimeFormat.format(new Date(at));
}
