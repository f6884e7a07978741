/**
 * The domain model: one shape for every API version and workload. The Veeam client turns wire
 * records into these once, at the edge; everything after it (summaries, queries, messages) reads
 * only these types.
 */

export type WorkloadKind = 'vm' | 'sql' | 'fileShare' | 'cosmosDb';

/** What a restore point protects. */
export interface Workload {
  readonly kind: WorkloadKind;
  readonly name: string;
  /** The appliance's id for it (VM, database, share, account); absent when the API names none. */
  readonly id?: string | null;
  /** What tells it apart from a namesake: resource group and subscription, or SQL server. */
  readonly context?: string | null;
}

/** A workload as a session or the inventory names it. */
export interface WorkloadRef {
  readonly id: string | null;
  readonly name: string;
}

/** A VM the appliance knows (its inventory), whether or not anything protects it. */
export interface InventoryVm {
  readonly id: string;
  readonly name: string;
  readonly resourceGroup: string | null;
  readonly subscription: string | null;
  /** When the appliance last backed it up (`/protectedItem/virtualMachines`, v8.1); absent or null: not known. */
  readonly lastBackup?: number | null;
}

/** A job session of the failure window that ended Error or Warning, with the appliance's reason. */
export interface SessionFailure {
  readonly id: string;
  /** Error or Warning (as the API spells it). */
  readonly status: string;
  readonly type: string | null;
  readonly policyName: string | null;
  readonly startedAt: number | null;
  /** The log's last Error/Warning line; null when there is none. */
  readonly message: string | null;
  /** The workloads it processed and failed or warned on; empty when unknown. */
  readonly workloads: readonly WorkloadRef[];
}

export interface RestorePoint {
  /** Display name of the appliance that holds the point. */
  readonly appliance: string;
  readonly id: string;
  /** Null when the API version does not name it (v1…v3 VM points). */
  readonly workload: Workload | null;
  /** When the point was taken, epoch milliseconds (UTC). */
  readonly pointInTime: number;
  /** Null when the appliance sent no usable size (absent, negative, not a number). */
  readonly sizeBytes: number | null;
  /** As the API spells it: Snapshot, AzureBlob, ManualSnapshot, or anything newer. */
  readonly destination: string;
  /** Full, Incremental, Continuous… as the API spells it; null when absent. */
  readonly type: string | null;
  /** A corrupted point cannot be restored from, so it is never offered as "latest". */
  readonly corrupted: boolean;
  readonly immutableUntil: number | null;
  readonly jobSessionId: string | null;
  /** Hot, Cool, Cold, Archive…; an Archive point must be retrieved before a restore. */
  readonly accessTier?: string | null;
}

/** A point that must be retrieved from the archive tier before it can be restored. */
export const isArchived = (point: { readonly accessTier?: string | null }): boolean => point.accessTier?.toLowerCase() === 'archive';

/** The workload's key within an appliance: the appliance's id when known, else its name. */
export const workloadKey = (workload: Workload): string => (workload.id ? `id:${workload.id}` : `name:${workload.name}`);

/** The job session that made a restore point, as the appliance reports it. */
export interface JobSession {
  readonly appliance: string;
  readonly id: string;
  /** PolicyBackup, PolicySnapshot, ManualSnapshot… */
  readonly type: string | null;
  /** The web UI's label for the type, when the appliance gives one. */
  readonly localizedType: string | null;
  /** Success, Warning, Error, Running… (there is no "Failed": failure is Error). */
  readonly status: string;
  readonly startedAt: number | null;
  readonly stoppedAt: number | null;
  readonly durationMs: number | null;
  readonly policyName: string | null;
  readonly protectedInstances: number | null;
  /** The log's last Error/Warning line, when it was read. */
  readonly message?: string | null;
}

const DESTINATION_ORDER = ['snapshot', 'azureblob', 'manualsnapshot'];

/** Snapshot, AzureBlob, ManualSnapshot, then the others by name. */
export function compareDestinations(a: string, b: string): number {
  const rank = (name: string) => {
    const index = DESTINATION_ORDER.indexOf(name.toLowerCase());
    return index === -1 ? DESTINATION_ORDER.length : index;
  };
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}
