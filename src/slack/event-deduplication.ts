/**
 * Slack retries an event delivery it thinks failed (up to 3 times, `x-slack-retry-num`), and
 * Bolt does not de-duplicate: without this, a slow answer would be posted twice in an incident
 * thread. With several replicas, the claim goes through Redis so that any replica's answer counts.
 */

export interface EventClaims {
  /** True the first time an event id is claimed (within the retention window), false after. */
  claim(eventId: string): Promise<boolean>;
}

/** Slack stops retrying within minutes; an hour is ample. */
export const EVENT_RETENTION_MS = 3_600_000;

export class MemoryEventClaims implements EventClaims {
  readonly #seen = new Map<string, number>();
  readonly #now: () => number;
  readonly #max: number;

  constructor(now: () => number = Date.now, max = 10_000) {
    this.#now = now;
    this.#max = max;
  }

  async claim(eventId: string): Promise<boolean> {
    const now = this.#now();
    for (const [id, at] of this.#seen) {
      if (now - at < EVENT_RETENTION_MS && this.#seen.size < this.#max) break;
      this.#seen.delete(id); // oldest first: Map keeps insertion order
    }
    if (this.#seen.has(eventId)) return false;
    this.#seen.set(eventId, now);
    return true;
  }
}
