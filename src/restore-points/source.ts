/**
 * The port between the shell and a backup product. The Veeam Backup for Azure client implements
 * it; a sister product (Veeam Backup for AWS, for Google Cloud) would implement it too, and
 * nothing past this interface would change.
 */
import type { JobSession, RestorePoint } from './model.ts';

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

export interface RestorePointSource {
  /** The API version configured or found so far; null before the appliance was ever reached. */
  readonly knownApiVersion: string | null;
  /** Calls `onPoint` once per restore point, as pages arrive. Throws a sentence-bearing error when the read fails; points already delivered stay delivered. */
  readRestorePoints(onPoint: (point: RestorePoint) => void): Promise<SourceReport>;
  /** Null when the appliance no longer has the session. */
  getJobSession(id: string): Promise<JobSession | null>;
  identify(): Promise<ApplianceIdentity>;
  close(): Promise<void>;
}
