/**
 * Each asker's time zone, from `users.info`, remembered for an hour: "before 09:30" means 09:30
 * where the asker is. A lookup that fails falls back to UTC, and the reply shows the resolved
 * instant as a date token, so a wrong guess is visible rather than silent.
 */
import { isTimeZone } from '../lib/zones.ts';
import type { Logger } from '../log.ts';

/** The part of the Web API client this needs (a test can pass the real WebClient or a stub). */
export interface UsersInfoClient {
  users: { info(args: { user: string }): Promise<{ user?: { tz?: string } }> };
}

const TTL_MS = 3_600_000;
const MAX_USERS = 5000;

export class UserZones {
  readonly #cache = new Map<string, { zone: string; until: number }>();
  readonly #pending = new Map<string, Promise<string>>();
  readonly #logger: Logger;
  readonly #now: () => number;

  constructor(logger: Logger, now: () => number = Date.now) {
    this.#logger = logger;
    this.#now = now;
  }

  zoneOf(userId: string, client: UsersInfoClient): Promise<string> {
    const cached = this.#cache.get(userId);
    if (cached && cached.until > this.#now()) return Promise.resolve(cached.zone);
    let pending = this.#pending.get(userId);
    if (!pending) {
      pending = this.#lookUp(userId, client).finally(() => this.#pending.delete(userId));
      this.#pending.set(userId, pending);
    }
    return pending;
  }

  async #lookUp(userId: string, client: UsersInfoClient): Promise<string> {
    let zone = 'UTC';
    try {
      const { user } = await client.users.info({ user: userId });
      if (user?.tz && isTimeZone(user.tz)) zone = user.tz;
    } catch (error) {
      this.#logger.warn({ user: userId, reason: (error as Error).message }, 'could not read the user’s time zone; using UTC (is the users:read scope granted?)');
      return zone; // not cached: try again next time
    }
    if (this.#cache.size >= MAX_USERS) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(userId, { zone, until: this.#now() + TTL_MS });
    return zone;
  }
}

