/**
 * The appliance's VM inventory (`/virtualMachines`) and who owns which VM restore point. VM
 * points carry only `vmName`, so two VMs of the same name (two resource groups, two
 * subscriptions) would merge into one workload: where a name is shared, the points of each of
 * those VMs are read once more by `VirtualMachineId`, and the answer tells them apart.
 */
import type { InventoryVm } from '../restore-points/model.ts';
import type { PageSink } from './paging.ts';
import { parseApiTime, type VmIdentity } from './to-domain.ts';
import { wireProtectedVm, wireVirtualMachine } from './wire.ts';

/** Reads every page of a path (relative to /api/{version}/) with these query parameters. */
export type PagedRead = (path: string, params: Readonly<Record<string, string>>, sink: PageSink) => Promise<void>;

export interface VmInventory {
  /** VMs the appliance protects or could protect; deleted ones are left out. */
  readonly vms: readonly InventoryVm[];
  /** Every VM read, deleted ones included: their points may still be there. */
  readonly all: readonly InventoryVm[];
  /** VM id → its Azure resource id, to match the protected VMs' list. */
  readonly azureIds: ReadonlyMap<string, string>;
}

export async function readVmInventory(read: PagedRead): Promise<VmInventory> {
  const vms: InventoryVm[] = [];
  const all: InventoryVm[] = [];
  const azureIds = new Map<string, string>();
  await read('virtualMachines', {}, (records) => {
    for (const record of records) {
      const parsed = wireVirtualMachine.safeParse(record);
      if (!parsed.success) continue;
      const vm: InventoryVm = {
        id: parsed.data.id,
        name: parsed.data.name,
        resourceGroup: parsed.data.resourceGroupName || null,
        subscription: parsed.data.subscriptionName || parsed.data.subscriptionId || null,
      };
      all.push(vm);
      if (parsed.data.azureId) azureIds.set(vm.id, parsed.data.azureId.toLowerCase());
      if (parsed.data.isDeleted !== true) vms.push(vm);
    }
  });
  return { vms, all, azureIds };
}

/**
 * The inventory's VMs with when the appliance last backed each up (`/protectedItem/virtualMachines`,
 * v8.1), matched by the appliance's id or by Azure resource id; a VM not listed keeps no date.
 */
export async function withLastBackups(read: PagedRead, inventory: VmInventory): Promise<InventoryVm[]> {
  const byKey = new Map<string, number>();
  await read('protectedItem/virtualMachines', {}, (records) => {
    for (const record of records) {
      const parsed = wireProtectedVm.safeParse(record);
      const at = parsed.success ? parseApiTime(parsed.data.lastBackup) : null;
      if (!parsed.success || at === null) continue;
      for (const key of [parsed.data.id, parsed.data.azureId?.toLowerCase()]) if (key) byKey.set(key, Math.max(at, byKey.get(key) ?? -Infinity));
    }
  });
  return inventory.vms.map((vm) => {
    const at = byKey.get(vm.id) ?? byKey.get(inventory.azureIds.get(vm.id) ?? '');
    return at === undefined ? vm : { ...vm, lastBackup: at };
  });
}

/** "rg-app · Production": what tells a VM apart from a namesake. */
export function vmContext(vm: InventoryVm): string | null {
  return [vm.resourceGroup, vm.subscription].filter(Boolean).join(' · ') || null;
}

/** VMs whose name another VM of the inventory shares. */
export function namesakes(vms: readonly InventoryVm[]): InventoryVm[] {
  const counts = new Map<string, number>();
  for (const vm of vms) counts.set(vm.name, (counts.get(vm.name) ?? 0) + 1);
  return vms.filter((vm) => counts.get(vm.name)! > 1);
}

/** Restore-point id → VM id, for the VMs given (one paged read each, `VirtualMachineId=`). */
export async function readPointOwners(read: PagedRead, vms: readonly InventoryVm[]): Promise<Map<string, string>> {
  const owners = new Map<string, string>();
  await Promise.all(
    vms.map((vm) =>
      read('restorePoints/virtualMachines', { VirtualMachineId: vm.id }, (records) => {
        for (const record of records) {
          const id = record !== null && typeof record === 'object' ? (record as { id?: unknown }).id : undefined;
          if (typeof id === 'string' && id) owners.set(id, vm.id);
        }
      }),
    ),
  );
  return owners;
}

/**
 * Which VM a point of this name belongs to: the only VM of that name, or the one whose own read
 * listed the point. Null when the inventory cannot tell (the point then keeps only its name).
 */
export function vmIdentity(vms: readonly InventoryVm[], owners: ReadonlyMap<string, string>): VmIdentity {
  const byName = new Map<string, InventoryVm[]>();
  const byId = new Map<string, InventoryVm>();
  for (const vm of vms) {
    byName.set(vm.name, [...(byName.get(vm.name) ?? []), vm]);
    byId.set(vm.id, vm);
  }
  const identity = (vm: InventoryVm) => ({ id: vm.id, context: vmContext(vm) });
  return (name, pointId) => {
    const candidates = byName.get(name);
    if (!candidates) return null;
    if (candidates.length === 1) return identity(candidates[0]!);
    const owner = byId.get(owners.get(pointId) ?? '');
    return owner ? identity(owner) : null;
  };
}
