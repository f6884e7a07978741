/**
 * Coverage: the VMs the appliance knows (its inventory) against the workloads that have restore
 * points. "No news" must not mean "not backed up": a VM without any point is unprotected. Pure.
 */
import type { InventoryVm } from './model.ts';

export interface UnprotectedWorkload {
  readonly kind: 'vm';
  readonly id: string;
  readonly name: string;
  /** Resource group and subscription, for messages (not in the JSON). */
  readonly label: string | null;
}

export interface Coverage {
  /** VMs in the inventory. */
  readonly workloads: number;
  /** Of those, with at least one restore point. */
  readonly protected: number;
  readonly unprotected: readonly UnprotectedWorkload[];
}

/** The workloads that have points, as the tally knows them. */
export interface CoveredWorkload {
  readonly kind: string;
  readonly name: string;
  readonly id: string | null;
}

/** Null when there is no inventory (the API version has none, or it could not be read). */
export function coverageOf(inventory: readonly InventoryVm[] | null | undefined, workloads: readonly CoveredWorkload[]): Coverage | null {
  if (!inventory) return null;
  const ids = new Set<string>();
  const names = new Set<string>();
  for (const workload of workloads) {
    if (workload.kind !== 'vm') continue;
    if (workload.id) ids.add(workload.id);
    else names.add(workload.name); // a point the inventory could not attribute: its name covers
  }
  const unprotected = inventory
    .filter((vm) => !ids.has(vm.id) && !names.has(vm.name))
    .map((vm) => ({ kind: 'vm' as const, id: vm.id, name: vm.name, label: [vm.resourceGroup, vm.subscription].filter(Boolean).join(' · ') || null }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { workloads: inventory.length, protected: inventory.length - unprotected.length, unprotected };
}

/** A backup this much newer than the newest point read is said; closer ones are the same run. */
const LAST_BACKUP_SLACK_MS = 3_600_000;
/** Names listed per sentence; the rest are counted. */
const NAMES_LISTED = 5;

/** The workloads as the summary has them: the newest point of each destination. */
interface PointedWorkload extends CoveredWorkload {
  readonly destinations: Readonly<Record<string, { readonly newest: { readonly pointInTime: string } | null }>>;
}

const listed = (names: readonly string[]) =>
  names.length <= NAMES_LISTED ? names.join(', ') : `${names.slice(0, NAMES_LISTED).join(', ')} and ${names.length - NAMES_LISTED} more`;

/**
 * What the appliance's own "last backup" (v8.1) says beyond the points: a VM backed up later than
 * its newest point read, or backed up once but without any point left. Sentences; empty when none.
 */
export function lastBackupNotes(inventory: readonly InventoryVm[] | null | undefined, workloads: readonly PointedWorkload[]): string[] {
  if (!inventory?.some((vm) => typeof vm.lastBackup === 'number')) return [];
  const newestById = new Map<string, number>();
  const newestByName = new Map<string, number>();
  for (const workload of workloads) {
    if (workload.kind !== 'vm') continue;
    const newest = Math.max(...Object.values(workload.destinations).map((d) => (d.newest ? Date.parse(d.newest.pointInTime) : -Infinity)));
    const map = workload.id ? newestById : newestByName;
    const key = workload.id ?? workload.name;
    map.set(key, Math.max(newest, map.get(key) ?? -Infinity));
  }
  const behind: string[] = [];
  const gone: string[] = [];
  for (const vm of inventory) {
    if (typeof vm.lastBackup !== 'number') continue;
    const newest = newestById.get(vm.id) ?? newestByName.get(vm.name);
    if (newest === undefined) gone.push(vm.name);
    else if (vm.lastBackup > newest + LAST_BACKUP_SLACK_MS) behind.push(vm.name);
  }
  return [
    ...(behind.length ? [`The appliance backed up ${listed(behind.sort())} after the newest restore point read: newer points may have been removed, or were not read.`] : []),
    ...(gone.length ? [`The appliance backed up ${listed(gone.sort())} before, but no restore point of ${gone.length === 1 ? 'it' : 'them'} is left.`] : []),
  ];
}
