/** How numbers read in messages: binary sizes, short ages, grouped counts. */
import prettyBytes from 'pretty-bytes';
import { formatDuration } from '../lib/duration.ts';

/** `127 GiB`; `unknown` when the appliance gave no size. */
export function formatBytes(bytes: number | null): string {
  return bytes === null ? 'unknown size' : prettyBytes(bytes, { binary: true, maximumFractionDigits: 1 });
}

/** `3h`, `2d 4h`; a point dated in the future says so instead of a negative age. */
export function formatAge(ageSeconds: number): string {
  if (ageSeconds < -60) return `in the future (${formatDuration(-ageSeconds * 1000)} ahead: check the appliance clock)`;
  return formatDuration(Math.max(0, ageSeconds) * 1000);
}

/** `3h ago` (or `3h before the time asked`); a point dated in the future says only that. */
export function formatAgo(ageSeconds: number, relativeTo = 'ago'): string {
  const age = formatAge(ageSeconds);
  return ageSeconds < -60 ? age : `${age} ${relativeTo}`;
}

/** `1,204`: grouped the same way whatever the machine's locale. */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/** `1 restore point`, `3 restore points`. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}
