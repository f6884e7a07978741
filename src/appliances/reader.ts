/**
 * Reads one appliance into a tally, and reuses the reading for a while: Slack users asking at
 * the same moment, and the digest, share one read instead of each hitting the appliance.
 * A failed read is a reading too, carrying its error: nothing here throws at the caller.
 */
import type { Logger } from '../log.ts';
import { applianceFix } from '../veeam/failure-fixes.ts';
import type { InventoryVm, JobSession, SessionFailure } from '../restore-points/model.ts';
import type { Inventory, ReadWindow, RestorePointSource } from '../restore-points/source.ts';
import type { StalePolicy } from '../restore-points/stale-policy.ts';
import { summariseTally } from '../restore-points/summarise.ts';
import type { ApplianceSummary } from '../restore-points/summary.ts';
import { PointTally } from '../restore-points/tally.ts';

export interface ApplianceReading {
  readonly name: string;
  readonly url: string;
  readonly policy: StalePolicy;
  readonly apiVersion: string | null;
  /** A sentence when the read failed or stopped early; the tally holds what was read before. */
  readonly error: string | null;
  readonly skipped: number;
  readonly tally: PointTally;
  /** The VM inventory; null when the API version has none or it could not be read. */
  readonly inventory: readonly InventoryVm[] | null;
  /** Failed and warning sessions of the failure window, newest first; null when not read. */
  readonly failures: readonly SessionFailure[] | null;
  /** Sentences about what could not be read beside the points (sessions, inventory). */
  readonly notes: readonly string[];
  /** How far back `failures` go (FAILURE_WINDOW). */
  readonly failureWindowMs?: number;
  /** When the read finished (epoch ms). */
  readonly readAt: number;
  readonly durationMs: number;
}

/**
 * A summary (and the answers made from it) is reused for questions asked within this long of the
 * one it was made for: in effect once per reading, since a reading is reused for CACHE_TTL
 * (default 60 s) and ages are then at most that far behind, like the reading itself. Measured at
 * 5,000 workloads on a busy machine: summarising and answering a burst's distinct questions holds
 * the event loop for 0.5–1 s in 100–200 ms steps; with a 1 s window a burst paid it every second
 * (acks 5 s late), with 10 s each burst that came after it paid it again (ack p99 0.4–0.6 s).
 * Bounded, not per reading, because metrics summarise at every scrape a reading that may be hours old.
 */
export const SUMMARY_REUSE_MS = 60_000;

/** The latest summary made of each reading, memoised on the reading object itself. */
const summaries = new WeakMap<ApplianceReading, { readonly ageFrom: number; readonly summary: ApplianceSummary }>();

/** The reading summarised with ages counted from `now`; made once per reading and SUMMARY_REUSE_MS. */
export function summariseReading(reading: ApplianceReading, now: number): ApplianceSummary {
  const memo = summaries.get(reading);
  if (memo && now >= memo.ageFrom && now - memo.ageFrom < SUMMARY_REUSE_MS) return memo.summary;
  const summary = summariseTally(
    reading.tally,
    {
      name: reading.name,
      url: reading.url,
      apiVersion: reading.apiVersion,
      error: reading.error,
      skipped: reading.skipped,
      inventory: reading.inventory,
      failures: reading.failures,
      notes: reading.notes,
      failureWindowMs: reading.failureWindowMs,
    },
    reading.policy,
    now,
  );
  summaries.set(reading, { ageFrom: now, summary });
  return summary;
}

export interface ApplianceReaderOptions {
  readonly name: string;
  readonly url: string;
  readonly source: RestorePointSource;
  readonly policy: StalePolicy;
  /** How long a reading is reused; 0 reads every time (in-flight reads are still shared). */
  readonly cacheTtlMs: number;
  /** The certificates trusted for the appliance (VEEAM_CA_FILE), so the logged fix fits the case. */
  readonly caPem?: string | null;
  /** How far back failed and warning sessions are read (FAILURE_WINDOW); default 24 hours. */
  readonly failureWindowMs?: number;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Told about every finished read (metrics, readiness). */
  readonly onReading?: (reading: ApplianceReading) => void;
}

export const DEFAULT_FAILURE_WINDOW_MS = 24 * 3_600_000;

/** Readings "as of" past instants are kept too, but only a few. */
const AS_OF_CACHE_SIZE = 8;

/** A failed reading is reused only briefly: an appliance that is back should look back soon. */
const FAILED_READING_TTL_MS = 10_000;

/** How long a read waits for others to join it (see ApplianceReader.#read). */
export const READ_GATHER_MS = 50;

/** Reads gathered into one pass: who waits for each instant (null: now). */
type ReadGroup = Map<number | null, Array<(reading: ApplianceReading) => void>>;

interface CacheEntry {
  readonly reading: Promise<ApplianceReading>;
  /** Null while the read is in flight (callers share it). */
  settledAt: number | null;
  ttlMs: number;
}

export class ApplianceReader {
  readonly name: string;
  readonly url: string;
  readonly #options: ApplianceReaderOptions;
  readonly #now: () => number;
  readonly #cache = new Map<number | null, CacheEntry>();
  #last: ApplianceReading | null = null;
  #gathering: ReadGroup | null = null;

  constructor(options: ApplianceReaderOptions) {
    this.name = options.name;
    this.url = options.url;
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** The latest finished reading, if any (for readiness and metrics). */
  get last(): ApplianceReading | null {
    return this.#last;
  }

  get source(): RestorePointSource {
    return this.#options.source;
  }

  get policy(): StalePolicy {
    return this.#options.policy;
  }

  /** All points, or only those at or before `asOf` (epoch ms). */
  read(asOf: number | null = null): Promise<ApplianceReading> {
    const cached = this.#cache.get(asOf);
    if (cached && (cached.settledAt === null || this.#now() - cached.settledAt < cached.ttlMs)) return cached.reading;
    const entry: CacheEntry = { reading: this.#read(asOf), settledAt: null, ttlMs: this.#options.cacheTtlMs };
    void entry.reading.then((reading) => {
      entry.settledAt = this.#now();
      if (reading.error) entry.ttlMs = Math.min(entry.ttlMs, FAILED_READING_TTL_MS);
    });
    this.#cache.delete(asOf);
    this.#cache.set(asOf, entry);
    if (this.#cache.size > AS_OF_CACHE_SIZE + 1) {
      const oldest = [...this.#cache.keys()].find((key) => key !== null && key !== asOf);
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    return entry.reading;
  }

  getJobSession(id: string): Promise<JobSession | null> {
    return this.#options.source.getJobSession(id);
  }

  async close(): Promise<void> {
    await this.#options.source.close();
  }

  /**
   * Joins the reads being gathered, or starts gathering them: the readings asked for within
   * READ_GATHER_MS of each other (now and "as of" several instants) come from one pass over the
   * appliance, each point counted in every tally it belongs to. Separately, 100 mixed questions
   * made 4–6 full reads of 100,000 points, each about 0.7 s of CPU.
   */
  #read(asOf: number | null): Promise<ApplianceReading> {
    let group = this.#gathering;
    if (!group) {
      const gathering: ReadGroup = new Map();
      this.#gathering = group = gathering;
      setTimeout(() => {
        if (this.#gathering === gathering) this.#gathering = null;
        void this.#readGroup(gathering);
      }, READ_GATHER_MS);
    }
    return new Promise((resolve) => {
      const waiting = group.get(asOf);
      if (waiting) waiting.push(resolve);
      else group.set(asOf, [resolve]);
    });
  }

  async #readGroup(group: ReadGroup): Promise<void> {
    const started = this.#now();
    const tallies = [...group.keys()].map((asOf) => new PointTally(asOf, started));
    let error: string | null = null;
    let skipped = 0;
    const notes: string[] = [];
    let inventory: Inventory | null = null;
    let failures: Promise<readonly SessionFailure[] | null> = Promise.resolve(null);
    const window = { startedAt: performance.now() }; // inventory, points and failures: one deadline
    try {
      inventory = await this.#readInventory(notes, window);
      // Failures are about now: readings "as of" past instants alone do not read them.
      if (group.has(null)) failures = this.#readFailures(started, notes, window);
      const report = await this.#options.source.readRestorePoints(
        tallies.length === 1 ? (point) => tallies[0]!.add(point) : (point) => { for (const tally of tallies) tally.add(point); },
        { inventory, window },
      );
      skipped = report.skipped;
      if (report.incomplete) error = `The read of ${this.name} is incomplete: ${report.incomplete}.`;
      if (report.duplicates > 0) this.#options.logger.info({ appliance: this.name, duplicates: report.duplicates }, 'ignored duplicate restore points');
    } catch (failure) {
      error = failure instanceof Error ? failure.message : String(failure);
      // The admin's fix goes to the log (and to `check`); messages to channels carry the fact.
      const fix = applianceFix(failure, { url: this.url, caPem: this.#options.caPem ?? null });
      this.#options.logger.warn({ appliance: this.name, reason: error, ...(fix ? { fix } : {}) }, 'could not read the appliance');
    }
    const failed = await failures;
    const finished = this.#now();
    for (const tally of tallies) {
      const reading: ApplianceReading = {
        name: this.name,
        url: this.url,
        policy: this.#options.policy,
        apiVersion: this.#options.source.knownApiVersion,
        error,
        skipped,
        tally,
        inventory: inventory?.vms ?? null,
        failures: tally.asOf === null ? failed : null,
        notes,
        failureWindowMs: this.#options.failureWindowMs ?? DEFAULT_FAILURE_WINDOW_MS,
        readAt: finished,
        durationMs: finished - started,
      };
      if (tally.asOf === null) this.#last = reading;
      try {
        this.#options.logger.debug({ appliance: this.name, points: tally.points, ms: reading.durationMs, asOf: tally.asOf }, 'read the appliance');
        this.#options.onReading?.(reading);
      } finally {
        for (const resolve of group.get(tally.asOf) ?? []) resolve(reading);
      }
    }
  }

  /** The inventory, or null; a failure is a note, never the reading's error. */
  async #readInventory(notes: string[], window: ReadWindow): Promise<Inventory | null> {
    const source = this.#options.source;
    if (!source.readInventory) return null;
    try {
      const inventory = await source.readInventory(window);
      if (inventory?.note) notes.push(inventory.note);
      return inventory;
    } catch (failure) {
      // Never reached: the appliance itself could not be read, which is the reading's error.
      if (source.knownApiVersion === null) throw failure;
      const reason = failure instanceof Error ? failure.message : String(failure);
      notes.push(`The VM inventory of ${this.name} could not be read, so unprotected VMs are not listed: ${reason}`);
      this.#options.logger.info({ appliance: this.name, reason }, 'could not read the VM inventory');
      return null;
    }
  }

  /** The failed and warning sessions of the window, or null; a failure is a note, never the reading's error. */
  async #readFailures(now: number, notes: string[], window: ReadWindow): Promise<readonly SessionFailure[] | null> {
    const source = this.#options.source;
    if (!source.readFailures) return null;
    try {
      return await source.readFailures(now - (this.#options.failureWindowMs ?? DEFAULT_FAILURE_WINDOW_MS), window);
    } catch (failure) {
      const reason = failure instanceof Error ? failure.message : String(failure);
      notes.push(`The failed sessions of ${this.name} could not be read, so failures are not shown: ${reason}`);
      this.#options.logger.info({ appliance: this.name, reason }, 'could not read the failed sessions');
      return null;
    }
  }
}
