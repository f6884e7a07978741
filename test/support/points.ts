/**
 * One builder for domain restore points in tests: a usable VM point with every field set, so a
 * test names only what it is about, and a field added to the model is added here once.
 */
import type { InventoryVm, RestorePoint, SessionFailure } from '../../src/restore-points/model.ts';

let sequence = 0;

/** A fresh, uniquely numbered point; `fields` override the defaults. */
export function restorePoint(fields: Partial<RestorePoint> = {}): RestorePoint {
  sequence++;
  const n = String(sequence).padStart(12, '0');
  return {
    appliance: 'vba',
    id: `a1b2c3d4-0000-4000-8000-${n}`,
    workload: { kind: 'vm', name: 'vm-01' },
    pointInTime: Date.parse('2026-11-26T07:00:00Z'),
    sizeBytes: 100,
    destination: 'Snapshot',
    type: 'Incremental',
    corrupted: false,
    immutableUntil: null,
    jobSessionId: `5e55${n.slice(-4)}-0000-4000-8000-000000000000`,
    ...fields,
  };
}

/** A VM's workload, or none for the null name (v1…v3 points name no workload). */
export const vm = (name: string | null): RestorePoint['workload'] => (name === null ? null : { kind: 'vm', name });

/** A failed or warning session of the failure window (issue 13); `fields` override the defaults. */
export function sessionFailure(fields: Partial<SessionFailure> = {}): SessionFailure {
  sequence++;
  return {
    id: `fa11${String(sequence).padStart(4, '0')}-0000-4000-8000-000000000000`,
    status: 'Error',
    type: 'PolicyBackup',
    policyName: 'Gold-VMs',
    startedAt: Date.parse('2026-11-26T02:00:00Z'),
    message: 'Failed to create a snapshot: the disk is locked by another operation',
    workloads: [],
    ...fields,
  };
}

/** A VM of the appliance's inventory. */
export function inventoryVm(name: string, fields: Partial<InventoryVm> = {}): InventoryVm {
  sequence++;
  return { id: `7a000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`, name, resourceGroup: 'rg-prod', subscription: 'Production', ...fields };
}
