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
