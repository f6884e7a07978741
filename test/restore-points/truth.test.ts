/**
 * Issue 13's core rules, pure and with a fixed now: newest beside latest, trouble marks, the
 * newest failure per workload, coverage, namesakes and the JSON additions.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_STALE_POLICY } from '../../src/restore-points/stale-policy.ts';
import { summarisePoints, type ApplianceFacts } from '../../src/restore-points/summarise.ts';
import { toSummaryJson, type ApplianceSummary } from '../../src/restore-points/summary.ts';
import { inventoryVm, restorePoint, sessionFailure, vm } from '../support/points.ts';

const NOW = Date.parse('2026-11-26T08:00:00Z');
const HOUR = 3_600_000;
const facts = (more: Partial<ApplianceFacts> = {}): ApplianceFacts => ({ name: 'weu', url: 'https://weu', apiVersion: 'v8.1', error: null, skipped: 0, ...more });
const workload = (summary: ApplianceSummary, name: string) => summary.workloads.find((w) => w.name === name)!;

describe('newest versus latest usable', () => {
  it('a corrupted newest point is shown beside the older usable one, and the workload is troubled', () => {
    const good = restorePoint({ workload: vm('vm-sql-02'), pointInTime: NOW - 5 * HOUR });
    const bad = restorePoint({ workload: vm('vm-sql-02'), pointInTime: NOW - HOUR, corrupted: true });
    const summary = summarisePoints([good, bad], DEFAULT_STALE_POLICY, NOW, facts());
    const state = workload(summary, 'vm-sql-02').destinations['Snapshot']!;
    expect(state.latest?.id).toBe(good.id);
    expect(state.newest).toMatchObject({ id: bad.id, corrupted: true, ageSeconds: 3600 });
    expect(state.stale).toBe(false);
    expect(state.trouble).toBe('corrupted');
    expect(workload(summary, 'vm-sql-02').trouble).toBe('corrupted');
    expect(summary.destinations[0]).toMatchObject({ trouble: 'corrupted', troubledWorkloads: 1 });
  });

  it('a usable newest point is the same point as latest, marked not corrupted', () => {
    const only = restorePoint({ workload: vm('vm-01'), pointInTime: NOW - HOUR });
    const state = workload(summarisePoints([only], DEFAULT_STALE_POLICY, NOW, facts()), 'vm-01').destinations['Snapshot']!;
    expect(state.newest).toEqual({ ...state.latest, corrupted: false });
    expect(state.trouble).toBeNull();
  });

  it('a point made by a Warning session marks its destination and the workload the session warned on', () => {
    const warning = sessionFailure({ status: 'Warning', startedAt: NOW - 2 * HOUR, workloads: [{ id: null, name: 'vm-erp-01' }] });
    const warned = restorePoint({ workload: vm('vm-erp-01'), destination: 'AzureBlob', pointInTime: NOW - HOUR, jobSessionId: warning.id });
    const fine = restorePoint({ workload: vm('vm-web-01'), destination: 'AzureBlob', pointInTime: NOW - HOUR, jobSessionId: warning.id });
    const summary = summarisePoints([warned, fine], DEFAULT_STALE_POLICY, NOW, facts({ failures: [warning] }));
    expect(summary.destinations.find((d) => d.destination === 'AzureBlob')).toMatchObject({ trouble: 'Warning', troubledWorkloads: 1 });
    expect(workload(summary, 'vm-erp-01')).toMatchObject({ trouble: 'Warning', lastFailure: { sessionId: warning.id, status: 'Warning' } });
    expect(workload(summary, 'vm-web-01')).toMatchObject({ trouble: null, lastFailure: null });
  });

  it('a failure after the newest point is trouble; one followed by a good point is history, still reported', () => {
    const failed = sessionFailure({ startedAt: NOW - 2 * HOUR, workloads: [{ id: null, name: 'vm-a' }, { id: null, name: 'vm-b' }] });
    const before = restorePoint({ workload: vm('vm-a'), pointInTime: NOW - 3 * HOUR });
    const after = restorePoint({ workload: vm('vm-b'), pointInTime: NOW - HOUR });
    const summary = summarisePoints([before, after], DEFAULT_STALE_POLICY, NOW, facts({ failures: [failed] }));
    expect(workload(summary, 'vm-a').trouble).toBe('Error');
    expect(workload(summary, 'vm-b').trouble).toBeNull();
    expect(workload(summary, 'vm-b').lastFailure?.sessionId).toBe(failed.id);
  });
});

describe('trouble in one destination does not spill into another', () => {
  it('a warning backup marks its own point, not a snapshot taken after it', () => {
    const warning = sessionFailure({ status: 'Warning', startedAt: NOW - 3 * HOUR, workloads: [{ id: null, name: 'vm-a' }] });
    const blob = restorePoint({ workload: vm('vm-a'), destination: 'AzureBlob', pointInTime: NOW - 3 * HOUR + 60_000, jobSessionId: warning.id });
    const snapshot = restorePoint({ workload: vm('vm-a'), destination: 'Snapshot', pointInTime: NOW - HOUR });
    const summary = summarisePoints([blob, snapshot], DEFAULT_STALE_POLICY, NOW, facts({ failures: [warning] }));
    const a = workload(summary, 'vm-a');
    expect(a.destinations['AzureBlob']!.trouble).toBe('Warning');
    expect(a.destinations['Snapshot']!.trouble).toBeNull();
    expect(a.trouble).toBe('Warning');
  });
});

describe('the newest failure per workload, and the failures of the window', () => {
  it('picks the newest failure that names the workload, by id before name', () => {
    const older = sessionFailure({ startedAt: NOW - 20 * HOUR, workloads: [{ id: 'vm-1', name: 'vm-web-01' }] });
    const newer = sessionFailure({ startedAt: NOW - 2 * HOUR, message: 'newer', workloads: [{ id: 'vm-1', name: 'vm-web-01' }] });
    const namesake = sessionFailure({ startedAt: NOW - HOUR, workloads: [{ id: 'vm-2', name: 'vm-web-01' }] });
    const point = restorePoint({ workload: { kind: 'vm', name: 'vm-web-01', id: 'vm-1', context: 'rg-prod' }, pointInTime: NOW - 3 * HOUR });
    const summary = summarisePoints([point], DEFAULT_STALE_POLICY, NOW, facts({ failures: [older, namesake, newer] }));
    expect(summary.workloads[0]!.lastFailure).toEqual({
      sessionId: newer.id,
      status: 'Error',
      startedAt: new Date(NOW - 2 * HOUR).toISOString(),
      message: 'newer',
      policy: 'Gold-VMs',
    });
    expect(summary.failures.map((f) => f.sessionId)).toEqual([namesake.id, newer.id, older.id]);
    expect(summary.failures[0]).toEqual({
      sessionId: namesake.id,
      status: 'Error',
      type: 'PolicyBackup',
      policy: 'Gold-VMs',
      startedAt: new Date(NOW - HOUR).toISOString(),
      message: namesake.message,
      workloads: ['vm-web-01'],
    });
  });

  it('no failures read: an empty list and no lastFailure', () => {
    const summary = summarisePoints([restorePoint()], DEFAULT_STALE_POLICY, NOW, facts());
    expect(summary.failures).toEqual([]);
    expect(summary.workloads[0]!.lastFailure).toBeNull();
  });
});

describe('coverage and identity', () => {
  it('lists inventory VMs without any point as unprotected, by id or, for unattributed points, by name', () => {
    const byId = inventoryVm('vm-app-01');
    const byName = inventoryVm('vm-app-02');
    const points = [
      restorePoint({ workload: { kind: 'vm', name: 'vm-app-01', id: byId.id, context: 'rg-prod · Production' } }),
      restorePoint({ workload: vm('vm-app-02') }),
      restorePoint({ workload: { kind: 'sql', name: 'sql-01/erp' } }),
    ];
    const inventory = [byId, byName, inventoryVm('vm-new-07'), inventoryVm('vm-dev-01', { resourceGroup: 'rg-dev' })];
    const summary = summarisePoints(points, DEFAULT_STALE_POLICY, NOW, facts({ inventory }));
    expect(summary.coverage).toMatchObject({ workloads: 4, protected: 2 });
    expect(summary.coverage!.unprotected.map((u) => [u.name, u.label])).toEqual([
      ['vm-dev-01', 'rg-dev · Production'],
      ['vm-new-07', 'rg-prod · Production'],
    ]);
    expect(summarisePoints(points, DEFAULT_STALE_POLICY, NOW, facts()).coverage).toBeNull();
  });

  it('two VMs of one name are two workloads with their ids, labelled apart; a lone name has no label', () => {
    const prod = { kind: 'vm' as const, name: 'vm-web-01', id: 'id-prod', context: 'rg-prod · Production' };
    const dev = { kind: 'vm' as const, name: 'vm-web-01', id: 'id-dev', context: 'rg-dev · Development' };
    const summary = summarisePoints(
      [restorePoint({ workload: prod }), restorePoint({ workload: dev }), restorePoint({ workload: { kind: 'vm', name: 'vm-db-01', id: 'id-db', context: 'rg-prod' } })],
      DEFAULT_STALE_POLICY,
      NOW,
      facts(),
    );
    expect(summary.workloads.map((w) => [w.name, w.id, w.label])).toEqual([
      ['vm-db-01', 'id-db', null],
      ['vm-web-01', 'id-dev', 'rg-dev · Development'],
      ['vm-web-01', 'id-prod', 'rg-prod · Production'],
    ]);
  });
});

describe('the JSON additions', () => {
  it('carries id, newest, lastFailure, coverage and failures, and leaves out what only messages use', () => {
    const failure = sessionFailure({ startedAt: NOW - HOUR, workloads: [{ id: 'id-1', name: 'vm-01' }] });
    const point = restorePoint({ workload: { kind: 'vm', name: 'vm-01', id: 'id-1', context: 'rg' }, accessTier: 'Archive', pointInTime: NOW - 3 * HOUR });
    const summary = summarisePoints([point], DEFAULT_STALE_POLICY, NOW, facts({ failures: [failure], inventory: [inventoryVm('vm-01', { id: 'id-1' })], notes: ['a note'] }));
    expect(summary.workloads[0]!.destinations['Snapshot']!.latest?.accessTier).toBe('Archive');
    const json = JSON.parse(JSON.stringify(toSummaryJson({ generatedAt: new Date(NOW).toISOString(), appliances: [summary] }))) as {
      appliances: Array<Record<string, unknown> & { workloads: Array<Record<string, unknown>>; destinations: Array<Record<string, unknown>> }>;
    };
    const [appliance] = json.appliances;
    expect(appliance!['coverage']).toEqual({ workloads: 1, protected: 1, unprotected: [] });
    expect(appliance!['failures']).toEqual([expect.objectContaining({ sessionId: failure.id, workloads: ['vm-01'] })]);
    expect(appliance).not.toHaveProperty('notes');
    const [only] = appliance!.workloads;
    expect(only).toMatchObject({ id: 'id-1', lastFailure: { sessionId: failure.id, status: 'Error', startedAt: new Date(NOW - HOUR).toISOString(), message: failure.message } });
    expect(Object.keys(only!['lastFailure'] as object).sort()).toEqual(['message', 'sessionId', 'startedAt', 'status']);
    expect(JSON.stringify(json)).not.toMatch(/accessTier|"label"|"trouble"|troubledWorkloads/);
  });
});
