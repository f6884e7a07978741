/**
 * The port between the shell and a backup product. The Veeam Backup for Azure client implements
 * it; a sister product (Veeam Backup for AWS, for Google Cloud) would implement it too, and
 * nothing past this interface would change.
 */
import type { InventoryVm, JobSession, RestorePoint, SessionFailure } from './model.ts';

export interface SourceReport {
  /** The API version used, as spelled in the path (v1, v8.1). */
  readonly apiVersion: string;
  /** Records that could not be understood (no id, no readable time). */
  readonly skipped: number;
  /** The same restore point delivered twice (paging over a changing collection). */
  readonly duplicates: number;
  /** Set when the read stopped early to protect itself: a sentence saying why. */
  readonly incomplete: string | null;
}

export interface ApplianceIdentity {
  readonly apiVersion: string;
  readonly serverVersion: string | null;
}

/** What a points read may use to tell workloads apart. */
export interface ReadContext {
  /** The inventory read before the points (null: none to use). */
  readonly inventory: Inventory | null;
  /** The read this one is part of: its deadline counts from there. */
  readonly window?: ReadWindow;
}

/**
 * One read of an appliance, made of parts (inventory, points, failures) that end together within
 * the source's read deadline, counted from `startedAt` (`performance.now()` at the start).
 */
export interface ReadWindow {
  readonly startedAt: number;
}

export interface Inventory {
  /** VMs the appliance knows and has not deleted. */
  readonly vms: readonly InventoryVm[];
  /** Sentences when namesakes could not be told apart (their points then share a workload), or last backups not read. */
  readonly note: string | null;
}

export interface RestorePointSource {
  /** The API version configured or found so far; null before the appliance was ever reached. */
  readonly knownApiVersion: string | null;
  /** Calls `onPoint` once per restore point, as pages arrive. Throws a sentence-bearing error when the read fails; points already delivered stay delivered. */
  readRestorePoints(onPoint: (point: RestorePoint) => void, context?: ReadContext): Promise<SourceReport>;
  /** The VM inventory; null when the API version has none. Within what `window`'s deadline leaves. Optional: a source without one has no coverage. */
  readInventory?(window?: ReadWindow): Promise<Inventory | null>;
  /** Sessions started at or after `since` (epoch ms) that ended Error or Warning, within what `window`'s deadline leaves; null when the API version cannot list them. */
  readFailures?(since: number, window?: ReadWindow): Promise<readonly SessionFailure[] | null>;
  /** Null when the appliance no longer has the session. */
  getJobSession(id: string): Promise<JobSession | null>;
  identify(): Promise<ApplianceIdentity>;
  close(): Promise<void>;
}
