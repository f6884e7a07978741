/**
 * Durations as people write them in configuration and queries: `90m`, `26h`, `2d`, `1d12h`,
 * `60s`, `1w`. One unit table, used by both; the units' lengths and the written form come from
 * date-fns (its constants, and its formatDuration with a short-unit locale).
 */
import type { Duration, FormatDistanceToken } from 'date-fns';
// From its own module: the package's index imports every date-fns function (about 1 s of start-up).
import { formatDuration as formatDurationFields } from 'date-fns/formatDuration';
import { millisecondsInDay, millisecondsInHour, millisecondsInMinute, millisecondsInSecond, millisecondsInWeek } from 'date-fns/constants';

const UNIT_MS = {
  ms: 1,
  s: millisecondsInSecond,
  m: millisecondsInMinute,
  h: millisecondsInHour,
  d: millisecondsInDay,
  w: millisecondsInWeek,
} as const;

const DURATION = /^(?:\d+(?:ms|[smhdw]))+$/i;
const PART = /(\d+)(ms|[smhdw])/gi;

/** Milliseconds, or null when the text is not a duration. Zero is a duration (`0s`). */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim();
  if (!DURATION.test(trimmed)) return null;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(PART)) {
    total += Number(amount) * UNIT_MS[unit!.toLowerCase() as keyof typeof UNIT_MS];
  }
  return Number.isSafeInteger(total) ? total : null;
}

/** date-fns speaks English sentences ("2 days"); messages use the short form ("2d"). */
const SHORT_UNIT: Partial<Record<FormatDistanceToken, string>> = { xDays: 'd', xHours: 'h', xMinutes: 'm', xSeconds: 's' };
const SHORT_LOCALE = { formatDistance: (token: FormatDistanceToken, count: number) => `${count}${SHORT_UNIT[token] ?? ''}` };

/**
 * The short form used in messages and logs: `45s`, `3h`, `2d 4h`, `26h` stays `1d 2h`; at most two
 * units. Split by fixed unit lengths rather than with intervalToDuration, which counts calendar
 * months: an age of 40 days must read `40d`, not `1 month 9d`.
 */
export function formatDuration(ms: number): string {
  const negative = ms < 0;
  let rest = Math.floor(Math.abs(ms) / millisecondsInSecond);
  const days = Math.floor(rest / (millisecondsInDay / millisecondsInSecond));
  rest -= days * (millisecondsInDay / millisecondsInSecond);
  const hours = Math.floor(rest / (millisecondsInHour / millisecondsInSecond));
  rest -= hours * (millisecondsInHour / millisecondsInSecond);
  const minutes = Math.floor(rest / (millisecondsInMinute / millisecondsInSecond));
  const seconds = rest - minutes * (millisecondsInMinute / millisecondsInSecond);
  const shown: (keyof Duration)[] = [];
  if (days > 0) shown.push('days');
  if (hours > 0) shown.push('hours');
  if (days === 0 && minutes > 0) shown.push('minutes');
  if (days === 0 && hours === 0 && (minutes === 0 || seconds > 0) && minutes < 10) shown.push('seconds');
  const text = formatDurationFields({ days, hours, minutes, seconds }, { format: shown.slice(0, 2), zero: true, delimiter: ' ', locale: SHORT_LOCALE });
  return negative ? `-${text}` : text;
}
