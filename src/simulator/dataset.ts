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
}

/** A collection's records, by index: either domain-like points or raw records served verbatim. */
export type RecordSource =
  | { readonly form: 'points'; readonly count: number; at(index: number): SimPoint }
  | { readonly form: 'raw'; readonly records: readonly unknown[] };

export interface Dataset {
  readonly collections: Partial<Record<WorkloadKind, RecordSource>>;
  jobSession(id: string): SimSession | null;
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

export function pointsDataset(points: readonly SimPoint[], sessions: readonly SimSession[] = []): Dataset {
  const byKind: Partial<Record<WorkloadKind, SimPoint[]>> = {};
  for (const point of points) (byKind[point.kind] ??= []).push(point);
  const collections: Partial<Record<WorkloadKind, RecordSource>> = {};
  for (const [kind, list] of Object.entries(byKind) as Array<[WorkloadKind, SimPoint[]]>) {
    collections[kind] = { form: 'points', count: list.length, at: (index) => list[index]! };
  }
  const sessionsById = new Map(sessions.map((session) => [session.id, session]));
  return { collections, jobSession: (id) => sessionsById.get(id) ?? null };
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

  const addSession = (day: number, type: string, localizedType: string, policyName: string, start: number, status = 'Success') => {
    const id = simUuid(0x5e551000 + day, sessions.length);
    const duration = (8 + Math.floor(next() * 40)) * 60_000;
    sessions.push({ id, type, localizedType, status, policyName, protectedInstances: vmCount, start, stop: start + duration });
    return id;
  };

  for (let day = days - 1; day >= 0; day--) {
    // Runs at 02:00 (snapshots) and 03:00 (backups) UTC; today's may still be in the future.
    const snapshotStart = today - day * DAY + 2 * HOUR;
    const backupStart = today - day * DAY + 3 * HOUR;
    const snapshotRuns = snapshotStart <= options.now;
    const backupRuns = backupStart + HOUR <= options.now;
    const snapshotSession = snapshotRuns ? addSession(day, 'PolicySnapshot', 'Snapshot', 'Daily snapshots', snapshotStart) : null;
    const backupSession = backupRuns
      ? addSession(day, 'PolicyBackup', 'Backup', 'Nightly backup to blob', backupStart, day === 0 ? 'Warning' : 'Success')
      : null;
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
        });
      }
    });
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
  return pointsDataset(points, sessions);
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
