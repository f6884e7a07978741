/**
 * How replicas agree on who posts a digest fire, and on whether it was posted.
 *
 * A coordinator (Redis) holds, per fire, a claim (one replica posts it) and a posted marker (no
 * replica posts it again). The marker is what lets a replica that saw the claim taken, or that
 * started shortly after a fire, post a fire nobody posted, and only that one:
 * - a replica that stops before posting releases its claim; the others, which saw it taken,
 *   look again every FOLLOW_UP_MS until the fire is posted or CATCH_UP_GRACE_MS have passed;
 * - a replica that starts within CATCH_UP_GRACE_MS after a fire claims it: posted → nothing.
 * Older fires are never posted: no burst of old digests after downtime.
 */
import { withTimeout } from '../lib/timeout.ts';

export type FireClaim = 'claimed' | 'taken' | 'posted';

/**
 * node-cron's RunCoordinator (`shouldRun`, enough for a fake), plus what posting each fire once
 * needs; the Redis coordinator has all of it.
 */
export interface FireCoordinator {
  /** True when this replica claimed the key. Throws when it cannot be asked. */
  shouldRun(key: string, ttlMs: number): boolean | Promise<boolean>;
  /** Like shouldRun, and says when the fire was posted already. */
  claimFire?(key: string, ttlMs: number): Promise<FireClaim>;
  markPosted?(key: string): Promise<void>;
  release?(key: string): Promise<void>;
}

/** A fire missed by every replica (all down, or the one that claimed it stopped) is still posted this long after its time. */
export const CATCH_UP_GRACE_MS = 15 * 60_000;

/** How often a replica that saw a fire claimed by another looks whether it was posted. */
export const FOLLOW_UP_MS = 5_000;

/** One bounded question to the coordinator; rejects when it fails or does not answer in time. */
export async function claimFire(coordinator: FireCoordinator, key: string, ttlMs: number, timeoutMs: number): Promise<FireClaim> {
  if (coordinator.claimFire) return withTimeout(coordinator.claimFire(key, ttlMs), timeoutMs, 'the run coordinator');
  const allowed = await withTimeout(Promise.resolve(coordinator.shouldRun(key, ttlMs)), timeoutMs, 'the run coordinator');
  return allowed === true ? 'claimed' : 'taken';
}

/**
 * The latest instant before `now` (whole seconds) that `matches`, at most `withinMs` back; null
 * when none. node-cron fires on whole seconds, so this visits at most withinMs / 1000 instants.
 */
export function previousFire(matches: (date: Date) => boolean, now: number, withinMs: number): Date | null {
  const latest = Math.floor(now / 1000) * 1000;
  for (let at = latest === now ? latest - 1000 : latest; at >= now - withinMs; at -= 1000) {
    const candidate = new Date(at);
    if (matches(candidate)) return candidate;
  }
  return null;
}

/**
 * Between a run and the posts it makes: once the run is abandoned (the replica stops), it must
 * not post, because its claim is released for another replica to post. Once posting began, it
 * is too late to abandon: the claim stays.
 */
export class PostingFence {
  #abandoned = false;
  #posting = false;

  /** Asked by the run right before it posts: false when the run was abandoned. */
  mayPost(): boolean {
    if (this.#abandoned) return false;
    this.#posting = true;
    return true;
  }

  /** True when the run had not begun posting (it now never will); false when it had. */
  abandon(): boolean {
    if (this.#posting) return false;
    this.#abandoned = true;
    return true;
  }

  get abandoned(): boolean {
    return this.#abandoned;
  }
}
