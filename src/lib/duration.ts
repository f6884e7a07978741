/**
 * Durations as people write them in configuration and queries: `90m`, `26h`, `2d`, `1d12h`,
 * `60s`, `1w`. One unit table, used by both.
 */

const UNIT_MS = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
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

/** The short form used in messages and logs: `45s`, `3h`, `2d 4h`, `26h` stays `1d 2h`. */
export function formatDuration(ms: number): string {
  const negative = ms < 0;
  let rest = Math.floor(Math.abs(ms) / 1000);
  const days = Math.floor(rest / 86_400);
  rest -= days * 86_400;
  const hours = Math.floor(rest / 3600);
  rest -= hours * 3600;
  const minutes = Math.floor(rest / 60);
  const seconds = rest - minutes * 60;
  const parts: string[] = [];
  if (days > 0) parts.push(`${days}d`);
  if (hours > 0) parts.push(`${hours}h`);
  if (days === 0 && minutes > 0) parts.push(`${minutes}m`);
  if (days === 0 && hours === 0 && (minutes === 0 || seconds > 0) && minutes < 10) parts.push(`${seconds}s`);
  const text = parts.slice(0, 2).join(' ');
  return negative ? `-${text}` : text;
}
