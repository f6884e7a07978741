/**
 * When a query's `before TIME` is: the time words the parser read (`TimeSpec`) become an
 * instant, given `now` and the asker's IANA zone. Pure: no clock, no I/O.
 */
import { tzOffset } from '@date-fns/tz';
import { canonicalZone } from '../lib/zones.ts';

export type TimeSpec =
  /** ISO 8601 with `Z` or an offset: 2026-11-25T09:30:00+01:00, 2026-11-25T08:30Z. */
  | { readonly kind: 'instant'; readonly at: number }
  /** A duration ago: 90m, 3h, 2d, 1d12h (0s means now). */
  | { readonly kind: 'ago'; readonly ms: number }
  /** 09:30, 9:30 or 09:30:15: the latest such wall-clock time, in the asker's zone, not after now. */
  | { readonly kind: 'clock'; readonly hour: number; readonly minute: number; readonly second?: number }
  /**
   * A wall-clock time on a date in the asker's zone: `2026-11-25 09:30`, `2026-11-25T09:30[:ss[.sss]]`
   * without an offset, or a bare date `2026-11-25`, which means the end of that day
   * (23:59:59.999): "before 2026-11-25" reads as "at or before that day". `month` is 1–12.
   * `second` and `millisecond` are 0 when absent.
   */
  | {
      readonly kind: 'local';
      readonly year: number;
      readonly month: number;
      readonly day: number;
      readonly hour: number;
      readonly minute: number;
      readonly second?: number;
      readonly millisecond?: number;
    };

/** True when resolving the spec needs the asker's time zone (clock and local kinds). */
export function needsTimeZone(spec: TimeSpec): boolean {
  return spec.kind === 'clock' || spec.kind === 'local';
}

/**
 * The instant (epoch ms) a spec means, given now and the asker's IANA zone. An unknown zone is
 * read as UTC rather than failing the whole answer.
 *
 * Across a DST change, the same on every host whatever its own TZ: a wall time inside a
 * spring-forward gap is read with the offset before the gap, as TZDate does on a UTC host
 * (Berlin 02:30 on 2026-03-29 is 01:30Z, which the clocks showed as 03:30 CEST); a date-time
 * that happens twice on a fall-back day is the later one (Berlin 02:30 on 2026-10-25 is 01:30Z),
 * so "before" it includes both. A clock time is the most recent occurrence not after now, which
 * on a fall-back day may be the earlier one.
 */
export function resolveTime(spec: TimeSpec, now: number, timeZone: string): number {
  switch (spec.kind) {
    case 'instant':
      return spec.at;
    case 'ago':
      return now - spec.ms;
    case 'local':
    case 'clock': {
      const zone = usableZone(timeZone);
      try {
        return spec.kind === 'local' ? resolveLocal(spec, zone) : resolveClock(spec, now, zone);
      } catch {
        // Intl accepted the zone but could not format with it: UTC still answers.
        return spec.kind === 'local' ? resolveLocal(spec, 'UTC') : resolveClock(spec, now, 'UTC');
      }
    }
  }
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * The zone's canonical name when the platform knows it, else UTC: a user profile should not
 * break an answer. Canonical, too, because tzOffset caches a formatter per spelling.
 */
function usableZone(timeZone: string): string {
  const zone = canonicalZone(timeZone);
  return zone !== null && Number.isFinite(tzOffset(zone, new Date(0))) ? zone : 'UTC';
}

interface WallTime {
  readonly year: number;
  /** 0–11, as `Date.UTC` takes it; out-of-range days roll over as there. */
  readonly monthIndex: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
}

function resolveLocal(spec: Extract<TimeSpec, { kind: 'local' }>, zone: string): number {
  const { year, month, day, hour, minute, second = 0, millisecond = 0 } = spec;
  // The later of two occurrences, so that "before" a repeated time includes both.
  return Math.max(...wallTimeInstants({ year, monthIndex: month - 1, day, hour, minute, second, millisecond }, zone));
}

function resolveClock(spec: Extract<TimeSpec, { kind: 'clock' }>, now: number, zone: string): number {
  const today = new Date(now + tzOffset(zone, new Date(now)) * MINUTE_MS);
  // Yesterday's occurrence is always before today's midnight, so one step back suffices; the
  // extra days only matter where a zone skipped a whole day (Samoa, 2011-12-30).
  for (let back = 0; back <= 3; back++) {
    const wall: WallTime = {
      year: today.getUTCFullYear(),
      monthIndex: today.getUTCMonth(),
      day: today.getUTCDate() - back,
      hour: spec.hour,
      minute: spec.minute,
      second: spec.second ?? 0,
      millisecond: 0,
    };
    const notAfterNow = wallTimeInstants(wall, zone).filter((at) => at <= now);
    if (notAfterNow.length > 0) return Math.max(...notAfterNow);
  }
  return now;
}

/**
 * Every instant at which the zone's clocks showed this wall time: usually one, two on a
 * fall-back day, none in a spring-forward gap, where the time is read with the offset in force
 * before the gap (Berlin 02:30 on 2026-03-29 is 01:30Z, which the clocks showed as 03:30 CEST).
 *
 * Built on tzOffset rather than TZDate's constructor: for these edge cases TZDate's answer
 * depends on the host's own zone (TZ), and the answer to "before 02:30" must not.
 */
function wallTimeInstants(wall: WallTime, zone: string): number[] {
  const asUtc = Date.UTC(wall.year, wall.monthIndex, wall.day, wall.hour, wall.minute, wall.second, wall.millisecond);
  // Any instant showing this wall time lies within ±14h of it, so the offsets in force a day
  // either side cover every offset that could apply.
  const offsetBefore = tzOffset(zone, new Date(asUtc - DAY_MS));
  const offsets = new Set([offsetBefore, tzOffset(zone, new Date(asUtc)), tzOffset(zone, new Date(asUtc + DAY_MS))]);
  const instants = [...offsets]
    .filter((offset) => Number.isFinite(offset))
    .map((offset) => ({ offset, at: asUtc - offset * MINUTE_MS }))
    .filter(({ offset, at }) => tzOffset(zone, new Date(at)) === offset)
    .map(({ at }) => at);
  if (instants.length > 0) return instants;
  return [Number.isFinite(offsetBefore) ? asUtc - offsetBefore * MINUTE_MS : asUtc];
}
