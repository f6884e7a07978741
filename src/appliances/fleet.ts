/**
 * Every configured appliance, read in parallel with a bound. One appliance that is down, slow or
 * misconfigured never delays or hides the others: its reading carries its own error.
 */
import type { ApplianceConfig } from '../config/types.ts';
import type { Logger } from '../log.ts';
import type { Summary } from '../restore-points/summary.ts';
import { VeeamClient, type VeeamClientOptions } from '../veeam/client.ts';
import { mapBounded } from '../lib/map-bounded.ts';
import { PointTally } from '../restore-points/tally.ts';
import { ApplianceReader, summariseReading, type ApplianceReading } from './reader.ts';
import { within } from '../lib/timeout.ts';

/**
 * Appliances read at once. Reads wait on the network and each client bounds its own requests,
 * so this only protects the bot from a huge fleet: 50 appliances are read together, where a
 * bound of 8 made them take 3.3–4.7× one appliance's time.
 */
export const FLEET_PARALLELISM = 64;

export interface FleetOptions {
  readonly cacheTtlMs: number;
  /** FAILURE_WINDOW, as a plain setting for every reader. */
  readonly failureWindowMs?: number;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Appliances read at once. */
  readonly parallelism?: number;
  readonly onReading?: (reading: ApplianceReading) => void;
  /** Client tuning (tests use short timeouts and quick retries). */
  readonly client?: Partial<Pick<VeeamClientOptions, 'requestTimeoutMs' | 'retry' | 'pageSize' | 'parallelism'>>;
}

export class Fleet {
  readonly readers: readonly ApplianceReader[];
  readonly #parallelism: number;
  readonly #now: () => number;

  constructor(readers: readonly ApplianceReader[], options: { parallelism?: number; now?: () => number } = {}) {
    this.readers = readers;
    this.#parallelism = options.parallelism ?? FLEET_PARALLELISM;
    this.#now = options.now ?? Date.now;
  }

  static fromConfig(appliances: readonly ApplianceConfig[], options: FleetOptions): Fleet {
    const readers = appliances.map(
      (appliance) =>
        new ApplianceReader({
          name: appliance.name,
          url: appliance.url,
          source: new VeeamClient({ appliance, logger: options.logger, ...(options.now ? { now: options.now } : {}), ...options.client }),
          policy: appliance.staleAfter,
          caPem: appliance.caPem,
          cacheTtlMs: options.cacheTtlMs,
          ...(options.failureWindowMs === undefined ? {} : { failureWindowMs: options.failureWindowMs }),
          logger: options.logger,
          ...(options.now ? { now: options.now } : {}),
          ...(options.onReading ? { onReading: options.onReading } : {}),
        }),
    );
    return new Fleet(readers, { ...(options.parallelism ? { parallelism: options.parallelism } : {}), ...(options.now ? { now: options.now } : {}) });
  }

  reader(name: string): ApplianceReader | undefined {
    return this.readers.find((reader) => reader.name === name);
  }

  /**
   * Readings of every appliance, in configuration order. With `waitMs`, an appliance that has
   * not answered by then is reported as slow instead of holding up the others' answer. With
   * `readOn` (the bot), its read carries on and its result is cached for the next question; without
   * it (a command that exits after answering), the sentence says only that the bot stopped waiting.
   */
  readAll(asOf: number | null = null, options: { waitMs?: number; readOn?: boolean } = {}): Promise<ApplianceReading[]> {
    const waitMs = options.waitMs;
    const readOn = options.readOn ?? true;
    return mapBounded(this.readers, this.#parallelism, (reader) =>
      waitMs === undefined ? reader.read(asOf) : withinWait(reader, reader.read(asOf), waitMs, readOn, this.#now),
    );
  }

  /** Reads and summarises everything, as of `now` (or as of `asOf`, counting ages from it). */
  async summary(asOf: number | null = null): Promise<Summary> {
    const readings = await this.readAll(asOf);
    const now = this.#now();
    return summaryOf(readings, asOf ?? now, now);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.readers.map((reader) => reader.close()));
  }
}

/**
 * The reading, or a stand-in saying the appliance is slow when it takes longer than `waitMs`:
 * the bot gave up waiting, which says nothing about the appliance's address or health.
 */
function withinWait(reader: ApplianceReader, reading: Promise<ApplianceReading>, waitMs: number, readOn: boolean, now: () => number): Promise<ApplianceReading> {
  const waited = waitMs < 1000 ? `${waitMs} ms` : `${Math.round(waitMs / 1000)} s`;
  return within(reading, waitMs, (): ApplianceReading => ({
    name: reader.name,
    url: reader.url,
    policy: reader.policy,
    apiVersion: reader.source.knownApiVersion,
    error: readOn
      ? `${reader.name} has not answered within ${waited}; it is still being read, so ask again in a moment.`
      : `${reader.name} did not answer within ${waited}, so the bot stopped waiting for it.`,
    skipped: 0,
    tally: new PointTally(),
    inventory: null,
    failures: null,
    notes: [],
    readAt: now(),
    durationMs: waitMs,
  }));
}

/** The summary of several readings: ages counted from `ageFrom`, stamped `generatedAt`. */
export function summaryOf(readings: readonly ApplianceReading[], ageFrom: number, generatedAt: number): Summary {
  return {
    generatedAt: new Date(generatedAt).toISOString(),
    appliances: readings.map((reading) => summariseReading(reading, ageFrom)),
  };
}
