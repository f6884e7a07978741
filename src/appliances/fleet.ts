/**
 * Every configured appliance, read in parallel with a bound. One appliance that is down, slow or
 * misconfigured never delays or hides the others: its reading carries its own error.
 */
import type { ApplianceConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Summary } from '../restore-points/summary.ts';
import { VeeamClient, type VeeamClientOptions } from '../veeam/client.ts';
import { mapBounded } from '../map-bounded.ts';
import { ApplianceReader, summariseReading, type ApplianceReading } from './reader.ts';

export interface FleetOptions {
  readonly cacheTtlMs: number;
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
    this.#parallelism = options.parallelism ?? 8;
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
          cacheTtlMs: options.cacheTtlMs,
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

  /** Readings of every appliance (or those named), in configuration order. */
  readAll(asOf: number | null = null, names?: readonly string[]): Promise<ApplianceReading[]> {
    const readers = names ? this.readers.filter((reader) => names.includes(reader.name)) : this.readers;
    return mapBounded(readers, this.#parallelism, (reader) => reader.read(asOf));
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

/** The summary of several readings: ages counted from `ageFrom`, stamped `generatedAt`. */
export function summaryOf(readings: readonly ApplianceReading[], ageFrom: number, generatedAt: number): Summary {
  return {
    generatedAt: new Date(generatedAt).toISOString(),
    appliances: readings.map((reading) => summariseReading(reading, ageFrom)),
  };
}
