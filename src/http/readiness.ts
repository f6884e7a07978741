/**
 * Readiness: Slack is connected and takes the bot token, Redis (when configured) answers, and every
 * appliance's latest read succeeded.
 *
 * A probe (or a metrics scrape) never hammers an appliance: a reading younger than the freshness window
 * (max(CACHE_TTL, 30 s)) is judged as it is; an older one is renewed through the reader, whose
 * cache and shared in-flight reads mean at most one read per window whatever the probe rate.
 * A probe waits for that read only briefly: meanwhile the previous reading is judged, and
 * before any reading exists the appliance is "not read yet".
 */
import type { ApplianceReading } from '../appliances/reader.ts';
import { within } from '../lib/timeout.ts';

export interface ReadinessReader {
  readonly name: string;
  readonly last: ApplianceReading | null;
  read(): Promise<ApplianceReading>;
}

export interface ReadinessOptions extends FreshOptions {
  /** A problem with Slack ("not connected"), or null when connected. */
  readonly slack: () => string | null;
  readonly readers: () => readonly ReadinessReader[];
  /** A problem with the bot token (Slack refused it), or null once Slack took it. */
  readonly slackToken?: () => Promise<string | null>;
  /** A problem with Redis (unreachable, not answering), or null when it answers; absent without Redis. */
  readonly redis?: () => Promise<string | null>;
  /** A problem with the alerts (their state cannot be opened or saved), or null; absent without alerts. */
  readonly alerts?: () => string | null;
}

export const MIN_FRESH_MS = 30_000;
export const DEFAULT_WAIT_MS = 2_000;

export interface FreshOptions {
  readonly now?: () => number;
  /** CACHE_TTL; the freshness window is at least MIN_FRESH_MS. */
  readonly cacheTtlMs: number;
  /** How long to wait for a renewed reading before falling back on the previous one. */
  readonly waitMs?: number;
}

/**
 * Each reader's latest reading, renewed first when older than the freshness window. Renewals go
 * through the reader (its cache, its shared in-flight read), so callers never add reads.
 */
export function freshReadings(options: FreshOptions): (readers: readonly ReadinessReader[]) => Promise<Array<ApplianceReading | null>> {
  const now = options.now ?? Date.now;
  const freshMs = Math.max(options.cacheTtlMs, MIN_FRESH_MS);
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  return (readers) =>
    Promise.all(
      readers.map(async (reader) => {
        const last = reader.last;
        if (last && now() - last.readAt < freshMs) return last;
        return (await within(reader.read(), waitMs, () => null)) ?? last;
      }),
    );
}

/** The problems that make the bot not ready, one sentence each; empty when ready. */
export function readinessCheck(options: ReadinessOptions): () => Promise<string[]> {
  const fresh = freshReadings(options);
  return async () => {
    const problems: string[] = [];
    const slack = options.slack();
    if (slack) problems.push(`slack: ${slack}`);
    const readers = options.readers();
    const [readings, token, redis] = await Promise.all([fresh(readers), slack ? null : (options.slackToken?.() ?? null), options.redis?.() ?? null]);
    if (token) problems.push(`slack: ${token}`);
    if (redis) problems.push(`redis: ${redis}`);
    const alerts = options.alerts?.();
    if (alerts) problems.push(`alerts: ${alerts}`);
    readers.forEach((reader, index) => {
      const reading = readings[index];
      if (!reading) problems.push(`appliance ${reader.name}: not read yet (the first read is in progress)`);
      else if (reading.error) problems.push(`appliance ${reader.name}: ${reading.error}`);
    });
    return problems;
  };
}
