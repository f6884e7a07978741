/**
 * Issue 13 through real HTTP against the simulator: the VM inventory, namesakes told apart by
 * their per-VM reads, the failed and warning sessions with the appliance's own reason, and a
 * session read that fails without failing the appliance's reading.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ApplianceReader, summariseReading } from '../../src/appliances/reader.ts';
import { toSummaryJson } from '../../src/restore-points/summary.ts';
import { silentLogger } from '../../src/log.ts';
import type { RestorePoint } from '../../src/restore-points/model.ts';
import { DEFAULT_STALE_POLICY } from '../../src/restore-points/stale-policy.ts';
import { demoDataset, pointsDataset, simUuid, type SimPoint, type SimSession } from '../../src/simulator/dataset.ts';
import { APPLIANCE_1_0, type Simulator } from '../../src/simulator/server.ts';
import { clientFor, closeAll, startSim } from '../support/veeam.ts';

const NOW = Date.parse('2026-11-26T08:00:00Z');
const DAY = 86_400_000;

/** The reader as the fleet builds it, uncached, at the fixed NOW. */
const readerFor = (sim: Simulator, name = 'weu') =>
  new ApplianceReader({ name, url: sim.url, source: clientFor(sim), policy: DEFAULT_STALE_POLICY, cacheTtlMs: 0, logger: silentLogger(), now: () => NOW });

afterEach(closeAll);

describe('the inventory and identities', () => {
  it('reads the VM inventory, deleted VMs left out, and says null for a version without one', async () => {
    const sim = await startSim({ dataset: demoDataset({ now: NOW }), now: () => NOW });
    const inventory = await clientFor(sim).readInventory();
    expect(inventory?.vms.map((vm) => vm.name)).toEqual(expect.arrayContaining(['vm-new-07', 'vm-test-03', 'vm-sql-01']));
    expect(inventory?.vms.filter((vm) => vm.name === 'vm-web-01').map((vm) => vm.resourceGroup).sort()).toEqual(['rg-dev', 'rg-prod']);
    const old = await startSim({ dataset: demoDataset({ now: NOW }), versions: APPLIANCE_1_0, now: () => NOW });
    expect(await clientFor(old).readInventory()).toBeNull();
    expect(await clientFor(old).readFailures(NOW - DAY)).toBeNull();
  });

  it('two VMs of the same name are two workloads, each with its id and resource group', async () => {
    const sim = await startSim({ dataset: demoDataset({ now: NOW }), now: () => NOW });
    const client = clientFor(sim);
    const inventory = await client.readInventory();
    const points: RestorePoint[] = [];
    await client.readRestorePoints((point) => points.push(point), { inventory });
    const webs = new Map(points.filter((p) => p.workload?.name === 'vm-web-01').map((p) => [p.workload!.id, p.workload!]));
    expect(webs.size).toBe(2);
    expect([...webs.values()].map((w) => w.context).sort()).toEqual(['rg-dev · Development', 'rg-prod · Production']);
    // Only the namesakes were read one by one.
    const perVm = [...sim.stats.gets.keys()].filter((path) => path.endsWith('/restorePoints/virtualMachines'));
    expect(perVm).toHaveLength(1);
    // Without an inventory, points keep only their names (as before).
    const plain: RestorePoint[] = [];
    await clientFor(sim).readRestorePoints((point) => plain.push(point));
    expect(new Set(plain.filter((p) => p.workload?.name === 'vm-web-01').map((p) => p.workload))).toHaveProperty('size', 1);
  });
});

describe('failed and warning sessions', () => {
  it('lists the window\'s Error and Warning sessions, newest first, with the log\'s last problem line and the VMs they failed', async () => {
    const sim = await startSim({ dataset: demoDataset({ now: NOW }), now: () => NOW });
    const failures = (await clientFor(sim).readFailures(NOW - DAY))!;
    expect(failures.map((f) => [f.status, f.policyName])).toEqual([
      ['Warning', 'Nightly backup to blob'],
      ['Error', 'Gold-VMs'],
    ]);
    expect(failures[0]!.workloads.map((w) => w.name)).toEqual(['vm-erp-01']);
    expect(failures[0]!.message).toMatch(/vm-erp-01: the backup was created but failed verification/);
    expect(failures[1]!.workloads).toEqual([{ id: expect.any(String), name: 'vm-build-01' }]);
    expect(failures[1]!.message).toMatch(/^Failed to create a snapshot of vm-build-01: .*locked/);
    // A longer window reaches the Gold-VMs failures of the nights before.
    expect((await clientFor(sim).readFailures(NOW - 3 * DAY))!.length).toBe(4);
  });

  it('reads at most 50 sessions, the newest, each with one protectedItems and one log read', async () => {
    const sessions: SimSession[] = Array.from({ length: 70 }, (_, index) => ({
      id: simUuid(0xfa11, index),
      type: 'PolicyBackup',
      localizedType: 'Backup',
      status: index % 2 ? 'Error' : 'Warning',
      policyName: `policy ${index}`,
      protectedInstances: 1,
      start: NOW - (index + 1) * 60_000,
      stop: NOW - index * 60_000,
      log: [{ afterMs: 1000, status: index % 2 ? 'Error' : 'Warning', message: `reason ${index}` }],
    }));
    const sim = await startSim({ dataset: pointsDataset([], sessions, []), now: () => NOW });
    const failures = (await clientFor(sim).readFailures(NOW - DAY))!;
    expect(failures).toHaveLength(50);
    expect(failures[0]!.policyName).toBe('policy 0');
    expect(failures.at(-1)!.policyName).toBe('policy 49');
    expect(failures[3]!.message).toBe('reason 3');
    const reads = (suffix: string) => [...sim.stats.gets].filter(([path]) => path.endsWith(suffix)).reduce((n, [, count]) => n + count, 0);
    expect(reads('/log')).toBe(50);
    expect(reads('/protectedItems')).toBe(50);
  });

  it('a failed or warning session read on its own carries the error text', async () => {
    const sim = await startSim({ dataset: demoDataset({ now: NOW }), now: () => NOW });
    const client = clientFor(sim);
    const [failure] = (await client.readFailures(NOW - DAY))!;
    const session = await client.getJobSession(failure!.id);
    expect(session?.message).toBe(failure!.message);
  });

  it('sessions that cannot be read are a note on the reading, never its error', async () => {
    const sim = await startSim({ dataset: demoDataset({ now: NOW }), now: () => NOW });
    sim.failNext(10, { status: 500, path: /\/jobSessions$/ });
    const reader = readerFor(sim, 'demo');
    const reading = await reader.read();
    expect(reading.error).toBeNull();
    expect(reading.tally.points).toBeGreaterThan(0);
    expect(reading.failures).toBeNull();
    expect(reading.notes.join(' ')).toMatch(/failed sessions of demo could not be read/);
    expect(reading.inventory?.length).toBeGreaterThan(0);
  });
});

describe('appliances older than v7 (no inventory, no session filters)', () => {
  it.each([['v1', APPLIANCE_1_0], ['v6', ['v4', 'v5', 'v6'] as const]])('%s: points read, coverage null, failures [], no note and no error', async (_name, versions) => {
    const sim = await startSim({ dataset: demoDataset({ now: NOW }), versions, now: () => NOW });
    const reader = readerFor(sim, 'old');
    const reading = await reader.read();
    expect(reading.error).toBeNull();
    expect(reading.tally.points).toBeGreaterThan(0);
    expect(reading).toMatchObject({ inventory: null, failures: null, notes: [] });
    const summary = summariseReading(reading, NOW);
    expect(summary.coverage).toBeNull();
    expect(summary.failures).toEqual([]);
    expect(summary.workloads.every((workload) => workload.lastFailure === null)).toBe(true);
    const json = toSummaryJson({ generatedAt: new Date(NOW).toISOString(), appliances: [summary] }) as { appliances: Array<Record<string, unknown>> };
    expect(json.appliances[0]).toMatchObject({ coverage: null, failures: [] });
    const requested = [...sim.stats.gets.keys()];
    expect(requested.filter((path) => /^\/api\/v[\d.]+\/(virtualMachines|jobSessions|protectedItem)/.test(path))).toEqual([]);
  });
});

describe('when the appliance last backed each VM up (v8.1 /protectedItem/virtualMachines)', () => {
  const HOUR = 3_600_000;
  const vmOf = (index: number, name: string, lastBackup?: number) => ({
    id: simUuid(0x7b000000, index),
    name,
    resourceGroup: 'rg-prod',
    subscriptionId: simUuid(0x50b0, 1),
    subscriptionName: 'Production',
    region: 'westeurope',
    ...(lastBackup === undefined ? {} : { lastBackup }),
  });
  const pointOf = (index: number, vm: ReturnType<typeof vmOf>, pointInTime: number): SimPoint => ({
    id: simUuid(0x11, index),
    kind: 'vm' as const,
    workload: vm.name,
    pointInTime,
    sizeBytes: 1024,
    destination: 'Snapshot',
    type: 'Full',
    corrupted: false,
    jobSessionId: simUuid(0x5e, index),
    region: 'westeurope',
    vmId: vm.id,
  });

  it('says a VM backed up after its newest point read, and a VM backed up once with no point left', async () => {
    const behind = vmOf(1, 'vm-behind', NOW - HOUR);
    const fine = vmOf(2, 'vm-fine');
    const gone = vmOf(3, 'vm-gone', NOW - 5 * DAY);
    const never = vmOf(4, 'vm-never');
    const points = [pointOf(1, behind, NOW - 3 * DAY), pointOf(2, fine, NOW - 2 * HOUR)];
    const sim = await startSim({ dataset: pointsDataset(points, [], [behind, fine, gone, never]), now: () => NOW });
    const reading = await readerFor(sim).read();
    expect(reading.inventory?.map((vm) => [vm.name, vm.lastBackup ?? null])).toEqual([
      ['vm-behind', NOW - HOUR],
      ['vm-fine', NOW - 2 * HOUR],
      ['vm-gone', NOW - 5 * DAY],
      ['vm-never', null],
    ]);
    const summary = summariseReading(reading, NOW);
    expect(summary.notes).toEqual([
      'The appliance backed up vm-behind after the newest restore point read: newer points may have been removed, or were not read.',
      'The appliance backed up vm-gone before, but no restore point of it is left.',
    ]);
    expect(summary.coverage?.unprotected.map((vm) => vm.name)).toEqual(['vm-gone', 'vm-never']);
    // Not in the JSON: the contract's coverage is unchanged.
    expect(JSON.stringify(toSummaryJson({ generatedAt: new Date(NOW).toISOString(), appliances: [summary] }))).not.toContain('lastBackup');
    // A reading "as of" a past instant says nothing about backups made since.
    expect(summariseReading(await readerFor(sim).read(NOW - 2 * DAY), NOW).notes).toEqual([]);
  });

  it('a list that cannot be read is a note; the inventory and coverage stand', async () => {
    const vm = vmOf(1, 'vm-a', NOW - HOUR);
    const sim = await startSim({ dataset: pointsDataset([pointOf(1, vm, NOW - HOUR)], [], [vm]), now: () => NOW });
    sim.failNext(10, { status: 500, path: /protectedItem\/virtualMachines$/ });
    const reading = await readerFor(sim).read();
    expect(reading.error).toBeNull();
    expect(reading.inventory?.map((v) => v.name)).toEqual(['vm-a']);
    expect(reading.notes.join(' ')).toMatch(/When VMs were last backed up could not be read/);
  });
});
