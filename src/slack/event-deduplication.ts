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

/** What the Redis run coordinator offers: an atomic claim with expiry. */
export interface SharedClaims {
  shouldRun(key: string, ttlMs: number): boolean | Promise<boolean>;
}

/**
 * Claims shared by every replica. When Redis cannot answer, this replica falls back to its own
 * memory: a mention answered twice beats a mention never answered in an incident.
 */
export class SharedEventClaims implements EventClaims {
  readonly #shared: SharedClaims;
  readonly #local: MemoryEventClaims;

  constructor(shared: SharedClaims, now: () => number = Date.now) {
    this.#shared = shared;
    this.#local = new MemoryEventClaims(now);
  }

  async claim(eventId: string): Promise<boolean> {
    const local = await this.#local.claim(eventId);
    if (!local) return false;
    try {
      return await this.#shared.shouldRun(`event:${eventId}`, EVENT_RETENTION_MS);
    } catch {
      return true;
    }
  }
}
