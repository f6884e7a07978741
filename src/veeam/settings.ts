/**
 * What a Veeam client is configured with, and the bounds every read of it keeps: the appliance's
 * settings, the client's options, the read deadline and the renewal budget.
 */
import type { Logger } from '../log.ts';
import type { ApiVersion } from './api-versions.ts';
import type { RetryPolicy } from './transport.ts';

export interface ApplianceSettings {
  /** Display name, unique among configured appliances. */
  readonly name: string;
  /** https://host[:port] */
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly apiVersion: ApiVersion | 'auto';
  /** PEM text of extra certificates to trust for this appliance. */
  readonly caPem: string | null;
  readonly tlsInsecure: boolean;
  /** One whole read of the appliance, login included, ends within this (READ_TIMEOUT). */
  readonly readTimeoutMs?: number;
  /** A page (any answer) larger than this is refused (MAX_PAGE_BYTES). */
  readonly maxPageBytes?: number;
}

/** The default READ_TIMEOUT: two minutes. */
export const DEFAULT_READ_TIMEOUT_MS = 120_000;

/**
 * Renewals one read may start after refusals (tokens revoked or expiring under it). Refusals of
 * a superseded token cost nothing; this bounds an appliance that refuses every token it issues.
 */
export const RENEWALS_PER_READ = 8;

/** What one read (or one lone call) may still spend, and the signal that ends it. */
export interface ReadBudget {
  renewals: number;
  readonly signal?: AbortSignal;
}

/** Free retries after superseded refusals per request: far more than renewals can cause. */
export const SUPERSEDED_RETRIES = 50;

export interface VeeamClientOptions {
  readonly appliance: ApplianceSettings;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly requestTimeoutMs?: number;
  readonly retry?: RetryPolicy;
  /** The `Limit` asked for; servers may serve fewer. */
  readonly pageSize?: number;
  /** Pages in flight at once per collection. */
  readonly parallelism?: number;
}

export type SearchParams = Record<string, string | number> | URLSearchParams;

/** Versions that list VMs (`/virtualMachines`) and filter sessions by `Status` and `FromUtc`. */
export const INVENTORY_VERSIONS: readonly ApiVersion[] = ['v7', 'v8', 'v8.1'];

/** At most this many skipped records are logged one by one per read; the rest are counted. */
export const SKIP_LOG_LIMIT = 20;
