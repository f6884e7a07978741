/**
 * Job session durations arrive as .NET time spans ("00:03:12.1234567", "1.02:03:04", maybe
 * negative) or, in some API versions, as milliseconds. Returns milliseconds, or null.
 */
import { millisecondsInDay, millisecondsInHour, millisecondsInMinute, millisecondsInSecond } from 'date-fns/constants';

// date-fns parses no .NET time span: the pattern stays ours, the unit lengths are date-fns's.
const TIME_SPAN = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/;

export function parseTimeSpan(value: string | number | null | undefined): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const match = TIME_SPAN.exec(text);
  if (!match) return null;
  const [, sign, days, hours, minutes, seconds, fraction] = match;
  // The days part carries whole days: a .NET time span never writes hours above 23.
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 59) return null;
  const ms =
    Number(days ?? 0) * millisecondsInDay +
    Number(hours) * millisecondsInHour +
    Number(minutes) * millisecondsInMinute +
    Number(seconds) * millisecondsInSecond +
    Math.round(Number(`0.${fraction ?? '0'}`) * millisecondsInSecond);
  return sign ? null : ms;
}
