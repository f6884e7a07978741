/**
 * How old the latest point of a destination may be before it counts as stale. Configured as
 * `Snapshot=26h,AzureBlob=26h,ManualSnapshot=off`; a destination not named keeps its default,
 * and a destination nobody configured has no threshold.
 */
import { parseDuration } from '../lib/duration.ts';

export interface Threshold {
  /** As the API spells it (or as configured, for a destination the bot does not know). */
  readonly destination: string;
  /** Null when staleness is off for this destination. */
  readonly seconds: number | null;
  /**
   * The threshold as it was written (`26h`, `2d`, `off`), shown as is: `26h` read back as `1d 2h`
   * would look like a different setting. Absent for thresholds built in code.
   */
  readonly text?: string;
}

/** Keyed by destination in lower case: configuration is case-insensitive, the API is not. */
export type StalePolicy = ReadonlyMap<string, Threshold>;

const HOURS_26 = 26 * 3600;

export const KNOWN_DESTINATIONS = ['Snapshot', 'AzureBlob', 'ManualSnapshot', 'ManualBackup', 'ImportedSnapshot'] as const;

export const DEFAULT_STALE_POLICY: StalePolicy = policyOf([
  { destination: 'Snapshot', seconds: HOURS_26, text: '26h' },
  { destination: 'AzureBlob', seconds: HOURS_26, text: '26h' },
  { destination: 'ManualSnapshot', seconds: null, text: 'off' },
]);

export function policyOf(thresholds: readonly Threshold[]): StalePolicy {
  return new Map(thresholds.map((threshold) => [threshold.destination.toLowerCase(), threshold]));
}

/** The threshold as written (`26h`), or `format(seconds)` when it was not written; null when off or none. */
export function staleAfterText(policy: StalePolicy, destination: string, format: (seconds: number) => string): string | null {
  const threshold = policy.get(destination.toLowerCase());
  if (threshold === undefined || threshold.seconds === null) return null;
  return threshold.text ?? format(threshold.seconds);
}

/** Null when the destination has no threshold. */
export function staleAfterSeconds(policy: StalePolicy, destination: string): number | null {
  return policy.get(destination.toLowerCase())?.seconds ?? null;
}

export interface StalePolicyParse {
  readonly policy: StalePolicy;
  /** Each names the bad entry and what would be right. */
  readonly problems: readonly string[];
}

/** Parses `Snapshot=26h,AzureBlob=2d,ManualSnapshot=off` on top of `base` (the defaults). */
export function parseStalePolicy(text: string, base: StalePolicy = DEFAULT_STALE_POLICY): StalePolicyParse {
  const policy = new Map(base);
  const problems: string[] = [];
  for (const entry of text.split(',').map((part) => part.trim()).filter(Boolean)) {
    const match = /^([A-Za-z][\w-]*)\s*=\s*(\S+)$/.exec(entry);
    if (!match) {
      problems.push(`"${entry}" is not DESTINATION=DURATION (for example Snapshot=26h or ManualSnapshot=off)`);
      continue;
    }
    const typed = match[1]!;
    const value = match[2]!;
    const key = typed.toLowerCase();
    const destination = KNOWN_DESTINATIONS.find((known) => known.toLowerCase() === key) ?? policy.get(key)?.destination ?? typed;
    if (value.toLowerCase() === 'off') {
      policy.set(key, { destination, seconds: null, text: 'off' });
      continue;
    }
    const ms = parseDuration(value);
    if (ms === null || ms < 1000) {
      problems.push(`"${entry}": "${value}" is not a duration such as 26h, 90m or 2d, nor "off"`);
      continue;
    }
    policy.set(key, { destination, seconds: Math.round(ms / 1000), text: value });
  }
  return { policy, problems };
}

/** `Snapshot 26h · AzureBlob 26h · ManualSnapshot off`, for context lines. */
export function describePolicy(policy: StalePolicy, format: (seconds: number) => string): string {
  return [...policy.values()].map((t) => `${t.destination} ${t.seconds === null ? 'off' : (t.text ?? format(t.seconds))}`).join(' · ');
}
