/** Instants as the terminal shows them: in the process's zone (TZ), the way `summary` does. */
import { TZDate } from '@date-fns/tz';
// From its own module: the package's index imports every date-fns function (about 1 s of start-up).
import { format } from 'date-fns/format';

/** `2026-11-29 03:07` in `timeZone`. */
export function localTime(at: number | string, timeZone: string): string {
  return format(new TZDate(typeof at === 'string' ? Date.parse(at) : at, timeZone), 'yyyy-MM-dd HH:mm');
}

/** `2026-11-29 09:30:00 +01:00 (Europe/Amsterdam)`: an instant someone asked about, unambiguous. */
export function localInstant(at: number, timeZone: string): string {
  return `${format(new TZDate(at, timeZone), 'yyyy-MM-dd HH:mm:ss xxx')} (${timeZone})`;
}
