/**
 * What the simulated appliance holds. Datasets are generated on demand by index, so a simulator
 * can serve a million restore points without holding them.
 */
import type { WorkloadKind } from '../restore-points/model.ts';

export interface SimPoint {
  readonly id: string;
  readonly kind: WorkloadKind;
  /** VM, database, file share or Cosmos DB account name. */
  readonly workload: string;
  /** SQL only: the server that hosts the database. */
  readonly server?: string;
  readonly pointInTime: number;
  readonly sizeBytes: number;
  readonly destination: string;
  readonly type: 'Full' | 'Incremental' | 'Continuous' | 'Unknown';
  readonly corrupted: boolean;
  readonly jobSessionId: string;
  readonly region: string;
  /** VM points: the inventory id of the VM (for `VirtualMachineId=`); absent: none. */
  readonly vmId?: string;
  /** Hot, Cool, Archive…; absent: Hot for AzureBlob, none for snapshots. */
  readonly accessTier?: string;
}

/** A VM of the simulated inventory (`/virtualMachines`). */
export interface SimVm {
  readonly id: string;
  readonly name: string;
  readonly resourceGroup: string;
  readonly subscriptionId: string;
  readonly subscriptionName: string;
  readonly region: string;
  /** `lastBackup` in `/protectedItem/virtualMachines` (v8.1); absent: its newest point's time, or unlisted without points. */
  readonly lastBackup?: number;
}

/** What a session did to one VM (`/jobSessions/{id}/protectedItems`). */
export interface SimSessionItem {
  readonly vm: SimVm;
  readonly status: 'Success' | 'Warning' | 'Error';
}

/** A line of a session's log (`/jobSessions/{id}/log`). */
export interface SimLogLine {
  /** After the session's start. */
  readonly afterMs: number;
  readonly status: 'Success' | 'Warning' | 'Error';
  readonly message: string;
}

export interface SimSession {
  readonly id: string;
  readonly type: string;
  readonly localizedType: string;
  readonly status: string;
  readonly policyName: string;
  readonly protectedInstances: number;
  readonly start: number;
  readonly stop: number;
  readonly items?: readonly SimSessionItem[];
  readonly log?: readonly SimLogLine[];
}

/** A collection's records, by index: either domain-like points or raw records served verbatim. */
export type RecordSource =
  | { readonly form: 'points'; readonly count: number; at(index: number): SimPoint }
  | { readonly form: 'raw'; readonly records: readonly unknown[] };

export interface Dataset {
  readonly collections: Partial<Record<WorkloadKind, RecordSource>>;
  jobSession(id: string): SimSession | null;
  /** The VM inventory; absent: the appliance knows no VMs (an empty `/virtualMachines`). */
  readonly inventory?: readonly SimVm[];
  /** Every session, for `/jobSessions` listings; absent: none is listed. */
  readonly sessions?: readonly SimSession[];
}

export function recordCount(source: RecordSource): number {
  return source.form === 'raw' ? source.records.length : source.count;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * A deterministic uuid-shaped id, unique per (namespace, index). The first block is a hash, so
 * ids look as varied as real ones (the bot shortens session ids to their first block).
 */
export function simUuid(namespace: number, index: number): string {
  let hash = Math.imul(namespace ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 0x632be5ab, 0xc2b2ae35);
  hash = Math.imul(hash ^ (hash >>> 16), 0x7feb352d);
  hash ^= hash >>> 15;
  const ns = hex8(namespace >>> 0);
  // The common case without toString/padStart: a million ids are generated per benchmark read.
  const hex = Number.isInteger(index) && index >= 0 && index < 2 ** 48
    ? `${hex8(Math.floor(index / 2 ** 32)).slice(4)}${hex8(index >>> 0)}`
    : index.toString(16).padStart(12, '0').slice(-12);
  return `${hex8(hash >>> 0)}-${ns.slice(0, 4)}-4${ns.slice(5, 8)}-8${ns.slice(4, 5)}00-${hex}`;
}

const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** An unsigned 32-bit integer as 8 hex digits. */
function hex8(value: number): string {
  return HEX_BYTES[value >>> 24]! + HEX_BYTES[(value >>> 16) & 0xff]! + HEX_BYTES[(value >>> 8) & 0xff]! + HEX_BYTES[value & 0xff]!;
}

/** A small deterministic pseudo-random sequence (mulberry32): the same seed, the same appliance. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pointsDataset(points: readonly SimPoint[], sessions: readonly SimSession[] = [], inventory?: readonly SimVm[]): Dataset {
  const byKind: Partial<Record<WorkloadKind, SimPoint[]>> = {};
  for (const point of points) (byKind[point.kind] ??= []).push(point);
  const collections: Partial<Record<WorkloadKind, RecordSource>> = {};
  for (const [kind, list] of Object.entries(byKind) as Array<[WorkloadKind, SimPoint[]]>) {
    collections[kind] = { form: 'points', count: list.length, at: (index) => list[index]! };
  }
  const sessionsById = new Map(sessions.map((session) => [session.id, session]));
  return { collections, jobSession: (id) => sessionsById.get(id) ?? null, sessions, ...(inventory ? { inventory } : {}) };
}

/** Serves the given records verbatim as the VM collection (malformed records, the seed document). */
export function rawDataset(records: readonly unknown[], sessions: readonly SimSession[] = []): Dataset {
  const sessionsById = new Map(sessions.map((session) => [session.id, session]));
  return { collections: { vm: { form: 'raw', records } }, jobSession: (id) => sessionsById.get(id) ?? null };
}

export interface DemoOptions {
  /** Generation is relative to this instant, so the demo always looks current. */
  readonly now: number;
  readonly vms?: number;
  readonly days?: number;
  readonly seed?: number;
}

/**
 * The demo appliance: a fleet of VMs with daily snapshots and backups over some days, the odd
 * manual snapshot, one VM whose backups stopped three days ago, one newest backup that is
 * corrupted, a SQL database and a file share.
 */
export function demoDataset(options: DemoOptions): Dataset {
  const next = random(options.seed ?? 42);
  const vmCount = options.vms ?? 12;
  const days = options.days ?? 14;
  const today = Math.floor(options.now / DAY) * DAY;
  const points: SimPoint[] = [];
  const sessions: SimSession[] = [];
  const regions = ['westeurope', 'northeurope', 'uksouth'];
  const vmNames = Array.from({ length: vmCount }, (_, index) =>
    ['vm-sql-01', 'vm-web-01', 'vm-web-02', 'vm-app-01', 'vm-app-02', 'vm-dc-01', 'vm-files-01', 'vm-build-01', 'vm-jump-01', 'vm-erp-01', 'vm-erp-02', 'vm-mail-01'][index] ??
    `vm-extra-${String(index + 1).padStart(2, '0')}`,
  );
  const staleVm = vmNames[vmNames.length > 7 ? 7 : vmNames.length - 1]!;
  const corruptedVm = vmNames[vmNames.length > 9 ? 9 : 0]!;
  let pointIndex = 0;

  // The inventory: every VM above in rg-prod, a namesake of the second one in rg-dev, and two
  // VMs nothing protects.
  const vms: SimVm[] = vmNames.map((name, index) => simVm(index, name, 'rg-prod', PRODUCTION, regions[index % regions.length]!));
  const namesake = simVm(1000, vmNames[1 % vmNames.length]!, 'rg-dev', DEVELOPMENT, regions[0]!);
  const inventory = [...vms, namesake, simVm(1001, 'vm-new-07', 'rg-dev', DEVELOPMENT, regions[1]!), simVm(1002, 'vm-test-03', 'rg-dev', DEVELOPMENT, regions[2]!)];
  const addSession = (day: number, type: string, localizedType: string, policyName: string, start: number, status = 'Success', detail: Pick<SimSession, 'items' | 'log'> = {}) => {
    const id = simUuid(0x5e551000 + day, sessions.length);
    const duration = (8 + Math.floor(next() * 40)) * 60_000;
    sessions.push({ id, type, localizedType, status, policyName, protectedInstances: vmCount, start, stop: start + duration, ...detail });
    return id;
  };

  for (let day = days - 1; day >= 0; day--) {
    // Runs at 02:00 (snapshots) and 03:00 (backups) UTC; today's may still be in the future.
    const snapshotStart = today - day * DAY + 2 * HOUR;
    const backupStart = today - day * DAY + 3 * HOUR;
    const snapshotRuns = snapshotStart <= options.now;
    const backupRuns = backupStart + HOUR <= options.now;
    const snapshotSession = snapshotRuns ? addSession(day, 'PolicySnapshot', 'Snapshot', 'Daily snapshots', snapshotStart) : null;
    // Last night's backup warned about the VM whose newest backup is corrupted.
    const warned = day === 0;
    const backupSession = backupRuns
      ? addSession(day, 'PolicyBackup', 'Backup', 'Nightly backup to blob', backupStart, warned ? 'Warning' : 'Success', {
          items: vms.filter((vm) => vm.name !== staleVm || day >= 3).map((vm) => ({ vm, status: warned && vm.name === corruptedVm ? 'Warning' : 'Success' })),
          log: warned
            ? [
                { afterMs: 60_000, status: 'Success', message: 'Processing started' },
                { afterMs: 9 * 60_000, status: 'Warning', message: `${corruptedVm}: the backup was created but failed verification (checksum mismatch in block 1842); the next run will create a full backup` },
                { afterMs: 12 * 60_000, status: 'Success', message: 'Processing finished' },
              ]
            : [],
        })
      : null;
    // The stale VM's own policy has failed for three nights, with the appliance's reason.
    if (day < 3 && snapshotStart - 30 * 60_000 <= options.now) {
      const stale = vms.find((vm) => vm.name === staleVm)!;
      addSession(day, 'PolicyBackup', 'Backup', 'Gold-VMs', snapshotStart - 30 * 60_000, 'Error', {
        items: [{ vm: stale, status: 'Error' }],
        log: [
          { afterMs: 30_000, status: 'Success', message: 'Processing started' },
          { afterMs: 4 * 60_000, status: 'Error', message: `Failed to create a snapshot of ${staleVm}: the disk ${staleVm}-osdisk is locked by another operation (OperationNotAllowed)` },
        ],
      });
    }
    vmNames.forEach((vm, vmIndex) => {
      if (vm === staleVm && day < 3) return;
      const region = regions[vmIndex % regions.length]!;
      const size = (40 + vmIndex * 17 + Math.floor(next() * 8)) * 1024 ** 3;
      if (snapshotSession) {
        points.push({
          id: simUuid(0x0a000000 + vmIndex, pointIndex++),
          kind: 'vm',
          workload: vm,
          pointInTime: snapshotStart + vmIndex * 45_000 + Math.floor(next() * 30_000),
          sizeBytes: size,
          destination: 'Snapshot',
          type: 'Full',
          corrupted: false,
          jobSessionId: snapshotSession,
          region,
          vmId: vms[vmIndex]!.id,
        });
      }
      if (backupSession) {
        points.push({
          id: simUuid(0x0b000000 + vmIndex, pointIndex++),
          kind: 'vm',
          workload: vm,
          pointInTime: backupStart + vmIndex * 120_000 + Math.floor(next() * 60_000),
          sizeBytes: Math.floor(size * (day % 7 === 0 ? 1 : 0.08 + next() * 0.05)),
          destination: 'AzureBlob',
          type: day % 7 === 0 ? 'Full' : 'Incremental',
          corrupted: vm === corruptedVm && day === 0,
          jobSessionId: backupSession,
          region,
          vmId: vms[vmIndex]!.id,
          // The oldest backups have been moved to the archive tier.
          ...(day >= days - 2 ? { accessTier: 'Archive' } : {}),
        });
      }
    });
    if (snapshotSession) {
      points.push({
        id: simUuid(0x0f000000, pointIndex++),
        kind: 'vm',
        workload: namesake.name,
        pointInTime: snapshotStart + 40 * 60_000,
        sizeBytes: 32 * 1024 ** 3,
        destination: 'Snapshot',
        type: 'Full',
        corrupted: false,
        jobSessionId: snapshotSession,
        region: namesake.region,
        vmId: namesake.id,
      });
    }
    if (day % 5 === 2) {
      const start = today - day * DAY + 14 * HOUR;
      const session = addSession(day, 'ManualSnapshot', 'Manual snapshot', 'Manual snapshot', start);
      points.push({
        id: simUuid(0x0c000000, pointIndex++),
        kind: 'vm',
        workload: vmNames[1 % vmNames.length]!,
        pointInTime: start + 60_000,
        sizeBytes: 64 * 1024 ** 3,
        destination: 'ManualSnapshot',
        type: 'Full',
        corrupted: false,
        jobSessionId: session,
        region: regions[0]!,
        vmId: vms[1 % vms.length]!.id,
      });
    }
    if (backupSession) {
      points.push({
        id: simUuid(0x0d000000, pointIndex++),
        kind: 'sql',
        workload: 'erp',
        server: 'sql-weu-01',
        pointInTime: backupStart + 30 * 60_000,
        sizeBytes: Math.floor((12 + next()) * 1024 ** 3),
        destination: 'AzureBlob',
        type: 'Full',
        corrupted: false,
        jobSessionId: addSession(day, 'SqlPolicyBackup', 'SQL backup', 'SQL nightly', backupStart + 20 * 60_000),
        region: regions[0]!,
      });
    }
    if (snapshotSession) {
      points.push({
        id: simUuid(0x0e000000, pointIndex++),
        kind: 'fileShare',
        workload: 'share-finance',
        pointInTime: snapshotStart + 10 * 60_000,
        sizeBytes: Math.floor((300 + next() * 20) * 1024 ** 2),
        destination: 'Snapshot',
        type: 'Full',
        corrupted: false,
        jobSessionId: addSession(day, 'FileSharePolicySnapshot', 'File share snapshot', 'File shares hourly', snapshotStart + 5 * 60_000),
        region: regions[1]!,
      });
    }
  }
  return pointsDataset(points, sessions, inventory);
}

const PRODUCTION = { id: '00000000-0000-4000-8000-0000000050b1', name: 'Production' };
const DEVELOPMENT = { id: '00000000-0000-4000-8000-0000000050b2', name: 'Development' };

function simVm(index: number, name: string, resourceGroup: string, subscription: { id: string; name: string }, region: string): SimVm {
  return { id: simUuid(0x7a000000, index), name, resourceGroup, subscriptionId: subscription.id, subscriptionName: subscription.name, region };
}

export interface SyntheticOptions {
  readonly points: number;
  readonly vms: number;
  /** The newest point's time; older ones go back an hour per round of VMs. */
  readonly newest: number;
}

/** A large fleet generated purely from the index: nothing held, for benchmarks. */
export function syntheticDataset(options: SyntheticOptions): Dataset {
  const destinations = ['Snapshot', 'AzureBlob', 'ManualSnapshot'] as const;
  const vmNames = Array.from({ length: options.vms }, (_, index) => `vm-${String(index).padStart(6, '0')}`);
  return {
    collections: {
      vm: {
        form: 'points',
        count: options.points,
        at(index) {
          const vm = index % options.vms;
          const round = Math.floor(index / options.vms);
          return {
            id: simUuid(0x51000000, index),
            kind: 'vm',
            workload: vmNames[vm]!,
            pointInTime: options.newest - round * HOUR - vm * 1000,
            sizeBytes: (20 + (vm % 200)) * 1024 ** 3,
            destination: destinations[round % 3]!,
            type: round % 7 === 0 ? 'Full' : 'Incremental',
            corrupted: index % 9973 === 0,
            jobSessionId: `sess-${round}`,
            region: 'westeurope',
          };
        },
      },
    },
    jobSession(id) {
      const match = /^sess-(\d+)$/.exec(id);
      if (!match) return null;
      const round = Number(match[1]);
      const start = options.newest - round * HOUR - 5 * 60_000;
      return {
        id,
        type: 'PolicyBackup',
        localizedType: 'Backup',
        status: 'Success',
        policyName: 'Synthetic policy',
        protectedInstances: options.vms,
        start,
        stop: start + 4 * 60_000,
      };
    },
  };
}
