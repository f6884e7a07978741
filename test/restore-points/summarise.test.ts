import { describe, expect, it } from 'vitest';
import type { RestorePoint } from '../../src/restore-points/model.ts';
import { DEFAULT_STALE_POLICY, parseStalePolicy } from '../../src/restore-points/stale-policy.ts';
import { compareDestinations } from '../../src/restore-points/model.ts';
import { summarisePoints } from '../../src/restore-points/summarise.ts';
import { toSummaryJson } from '../../src/restore-points/summary.ts';
import { PointTally, RECENT_POINTS } from '../../src/restore-points/tally.ts';
import { restorePoint, vm } from '../support/points.ts';

const NOW = Date.parse('2026-11-26T08:00:00Z');
const HOUR = 3_600_000;

function point(overrides: Partial<RestorePoint> & { ago?: number; vm?: string | null }): RestorePoint {
  const { ago = HOUR, vm: name = 'vm-01', ...rest } = overrides;
  return restorePoint({ workload: vm(name), pointInTime: NOW - ago, ...rest });
}

/** The five points of the v1 document's example (shared/seed). */
const SEED: RestorePoint[] = [
  ['15ed5dd3-c759-4726-9682-be9f9d72a7d5', '2020-02-03T13:02:39.35773Z', 'ManualSnapshot', '7'],
  ['1e1782e9-9921-4e11-980a-77203e9c691a', '2020-02-05T10:48:38.853005Z', 'AzureBlob', '38'],
  ['cd88a27f-afb0-4bd2-b9e7-bc1bd47252a0', '2020-02-05T10:45:14.482326Z', 'Snapshot', '37'],
  ['df483336-91b8-4e6b-87cf-7bd95f43c3de', '2020-02-04T11:15:29.990303Z', 'AzureBlob', '27'],
  ['f5661843-f425-4081-9d77-de440b4106e1', '2020-02-04T19:02:30.328869Z', 'AzureBlob', '31'],
].map(([id, time, destination, session]) => ({
  appliance: 'abc.ukwest.cloudapp.azure.com',
  id: id!,
  workload: null,
  pointInTime: Date.parse(time!),
  sizeBytes: 136367309312,
  destination: destination!,
  type: null,
  corrupted: false,
  immutableUntil: null,
  jobSessionId: session!,
}));

describe('summarise', () => {
  it('finds the seed document’s latest point per destination', () => {
    const summary = summarisePoints(SEED, DEFAULT_STALE_POLICY, Date.parse('2020-02-05T11:45:14.482Z'));
    const byName = Object.fromEntries(summary.destinations.map((d) => [d.destination, d]));
    expect(summary.destinations.map((d) => d.destination)).toEqual(['Snapshot', 'AzureBlob', 'ManualSnapshot']);
    expect(byName['ManualSnapshot']!.latest).toMatchObject({ id: '15ed5dd3-c759-4726-9682-be9f9d72a7d5', jobSessionId: '7' });
    expect(byName['AzureBlob']!.latest).toMatchObject({ id: '1e1782e9-9921-4e11-980a-77203e9c691a', jobSessionId: '38' });
    expect(byName['Snapshot']!.latest).toMatchObject({
      id: 'cd88a27f-afb0-4bd2-b9e7-bc1bd47252a0',
      jobSessionId: '37',
      pointInTime: '2020-02-05T10:45:14.482Z',
      ageSeconds: 3600,
      sizeBytes: 136367309312,
      workload: null,
    });
    expect(byName['AzureBlob']!.restorePoints).toBe(3);
    expect(byName['AzureBlob']!.totalBytes).toBe(3 * 136367309312);
    expect(summary.restorePoints).toBe(5);
    expect(summary.totalBytes).toBe(5 * 136367309312);
    expect(summary.workloads).toEqual([]);
    expect(byName['ManualSnapshot']!.staleAfterSeconds).toBeNull();
    expect(byName['ManualSnapshot']!.stale).toBe(false);
    expect(byName['Snapshot']!.staleAfterSeconds).toBe(93_600);
  });

  it('never offers a corrupted point as the latest', () => {
    const good = point({ ago: 5 * HOUR });
    const summary = summarisePoints([good, point({ ago: HOUR, corrupted: true })], DEFAULT_STALE_POLICY, NOW);
    expect(summary.destinations[0]!.latest!.id).toBe(good.id);
    expect(summary.corrupted).toBe(1);
    expect(summary.restorePoints).toBe(2);
  });

  it('is stale strictly past the threshold', () => {
    const at = (seconds: number) =>
      summarisePoints([point({ ago: seconds * 1000, vm: null })], DEFAULT_STALE_POLICY, NOW).destinations.find((d) => d.destination === 'Snapshot')!;
    expect(at(93_600).stale).toBe(false);
    expect(at(93_601).stale).toBe(true);
  });

  it('lists destinations with a threshold even without points, as stale', () => {
    const summary = summarisePoints([point({ destination: 'Snapshot' })], DEFAULT_STALE_POLICY, NOW);
    const blob = summary.destinations.find((d) => d.destination === 'AzureBlob')!;
    expect(blob).toEqual({
      destination: 'AzureBlob',
      restorePoints: 0,
      totalBytes: 0,
      latest: null,
      staleAfterSeconds: 93_600,
      staleAfter: '26h', // as written, for messages; not in the JSON document
      stale: true,
      staleWorkloads: 0,
      trouble: null,
      troubledWorkloads: 0,
      sizedPoints: 0,
    });
    expect(summary.destinations.map((d) => d.destination)).toEqual(['Snapshot', 'AzureBlob']);
  });

  it('keeps a destination nobody documented, without a threshold, after the known ones', () => {
    const summary = summarisePoints(
      [point({ destination: 'ColdVault' }), point({ destination: 'ManualSnapshot' }), point({ destination: 'Archive' })],
      DEFAULT_STALE_POLICY,
      NOW,
    );
    expect(summary.destinations.map((d) => d.destination)).toEqual(['Snapshot', 'AzureBlob', 'ManualSnapshot', 'Archive', 'ColdVault']);
    const cold = summary.destinations.find((d) => d.destination === 'ColdVault')!;
    expect(cold.staleAfterSeconds).toBeNull();
    expect(cold.stale).toBe(false);
  });

  it('STALE_AFTER overrides only what it names', () => {
    const { policy, problems } = parseStalePolicy('snapshot=2h,ColdVault=1d');
    expect(problems).toEqual([]);
    const summary = summarisePoints([point({ ago: 3 * HOUR }), point({ ago: 3 * HOUR, destination: 'ColdVault' })], policy, NOW);
    const byName = Object.fromEntries(summary.destinations.map((d) => [d.destination, d]));
    expect(byName['Snapshot']!).toMatchObject({ staleAfterSeconds: 7200, stale: true });
    expect(byName['AzureBlob']!).toMatchObject({ staleAfterSeconds: 93_600 });
    expect(byName['ColdVault']!).toMatchObject({ staleAfterSeconds: 86_400, stale: false });
  });

  it('judges every workload in every destination, and counts the stale ones', () => {
    const summary = summarisePoints(
      [
        point({ vm: 'fresh', ago: HOUR }),
        point({ vm: 'fresh', ago: HOUR, destination: 'AzureBlob' }),
        point({ vm: 'old', ago: 30 * HOUR }),
        point({ vm: 'old', ago: 2 * HOUR, destination: 'AzureBlob' }),
        point({ vm: 'broken', ago: HOUR, corrupted: true }),
        point({ vm: 'manual-only', ago: 900 * HOUR, destination: 'ManualSnapshot' }),
      ],
      DEFAULT_STALE_POLICY,
      NOW,
    );
    const byName = Object.fromEntries(summary.workloads.map((w) => [w.name, w]));
    expect(byName['fresh']!.stale).toBe(false);
    expect(byName['old']!.stale).toBe(true);
    expect(byName['old']!.destinations['Snapshot']!.stale).toBe(true);
    expect(byName['old']!.destinations['AzureBlob']!.stale).toBe(false);
    // All its points are corrupted: nothing to restore from is stale.
    // Issue 13: the corrupted newest point is shown beside the (missing) latest usable one.
    expect(byName['broken']!.destinations['Snapshot']).toMatchObject({ restorePoints: 1, latest: null, stale: true, trouble: 'corrupted' });
    expect(byName['broken']!.destinations['Snapshot']!.newest).toMatchObject({ corrupted: true });
    expect(byName['manual-only']!.stale).toBe(false);
    const snapshot = summary.destinations.find((d) => d.destination === 'Snapshot')!;
    expect(snapshot.staleWorkloads).toBe(2);
    expect(snapshot.stale).toBe(false); // the destination's own latest point is fresh
  });

  it('does not depend on the order points arrive in', () => {
    const points = [point({ ago: HOUR, id: 'b' }), point({ ago: HOUR, id: 'a' }), point({ ago: 2 * HOUR })];
    const forward = summarisePoints(points, DEFAULT_STALE_POLICY, NOW);
    const backward = summarisePoints([...points].reverse(), DEFAULT_STALE_POLICY, NOW);
    expect(backward).toEqual(forward);
    expect(forward.destinations[0]!.latest!.id).toBe('b');
  });

  it('counts unknown sizes as nothing in totals but keeps the point', () => {
    const summary = summarisePoints([point({ sizeBytes: null }), point({ sizeBytes: 5 })], DEFAULT_STALE_POLICY, NOW);
    expect(summary.restorePoints).toBe(2);
    expect(summary.totalBytes).toBe(5);
  });

  // Changed deliberately (issue 11, DESIGN "The future"): a point more than 10 minutes ahead is
  // never the latest, so it cannot hide staleness; it is counted, and the appliance's line says so.
  it('counts a point dated in the future, never as the latest, and says the clock or data looks wrong', () => {
    const summary = summarisePoints([point({ ago: -2 * HOUR })], DEFAULT_STALE_POLICY, NOW);
    expect(summary.destinations[0]!.restorePoints).toBe(1);
    expect(summary.destinations[0]!.latest).toBeNull();
    expect(summary.destinations[0]!.stale).toBe(true);
    expect(summary.warning).toMatch(/^1 restore point is dated more than 10 minutes in the future \(up to .*\): the appliance's clock or data looks wrong/);
  });

  it('a point a few minutes ahead (clock skew) is still the latest, with a negative age', () => {
    const summary = summarisePoints([point({ ago: -5 * 60_000 })], DEFAULT_STALE_POLICY, NOW);
    expect(summary.destinations[0]!.latest!.ageSeconds).toBe(-300);
    expect(summary.warning).toBeNull();
  });

  it('a future point does not hide an older stale one: the older is the latest, and stale', () => {
    const summary = summarisePoints([point({ ago: 3 * 24 * HOUR }), point({ ago: -24 * HOUR })], DEFAULT_STALE_POLICY, NOW);
    expect(summary.destinations[0]!.latest!.ageSeconds).toBe(3 * 24 * 3600);
    expect(summary.destinations[0]!.stale).toBe(true);
    expect(summary.workloads[0]!.stale).toBe(true);
  });

  it('totals of huge sizes stay exact finite numbers and say when they stopped counting', () => {
    const summary = summarisePoints([point({ sizeBytes: 2 ** 53 }), point({ sizeBytes: 2 ** 53 })], DEFAULT_STALE_POLICY, NOW);
    expect(summary.totalBytes).toBe(Number.MAX_SAFE_INTEGER);
    expect(Number.isSafeInteger(summary.destinations[0]!.totalBytes)).toBe(true);
    expect(summary.warning).toMatch(/Sizes add up to more than 9007199254740991 bytes/);
    const exact = summarisePoints([point({ sizeBytes: 2 ** 52 }), point({ sizeBytes: 2 ** 52 - 1 })], DEFAULT_STALE_POLICY, NOW);
    expect(exact.totalBytes).toBe(2 ** 53 - 1);
    expect(exact.warning).toBeNull();
  });

  it('keeps the newest points of each workload, newest first, corrupted included', () => {
    const points = Array.from({ length: 9 }, (_, index) => point({ ago: (index + 1) * HOUR, corrupted: index === 0 }));
    const [workload] = summarisePoints(points.reverse(), DEFAULT_STALE_POLICY, NOW).workloads;
    expect(workload!.recent).toHaveLength(RECENT_POINTS);
    expect(workload!.recent.map((p) => p.ageSeconds)).toEqual([1, 2, 3, 4, 5].map((h) => h * 3600));
    expect(workload!.recent[0]).toMatchObject({ corrupted: true, destination: 'Snapshot' });
  });

  it('an empty appliance still lists the thresholded destinations, stale', () => {
    const summary = summarisePoints([], DEFAULT_STALE_POLICY, NOW);
    expect(summary.restorePoints).toBe(0);
    expect(summary.destinations.map((d) => [d.destination, d.stale])).toEqual([
      ['Snapshot', true],
      ['AzureBlob', true],
    ]);
  });
});

describe('PointTally as of a time', () => {
  it('leaves out points after the instant', () => {
    const tally = new PointTally(NOW - 2 * HOUR);
    const old = point({ ago: 3 * HOUR });
    tally.add(old);
    tally.add(point({ ago: HOUR }));
    expect(tally.points).toBe(1);
    expect(tally.destinations.get('Snapshot')!.latest).toBe(old);
  });
});

describe('toSummaryJson', () => {
  it('prints exactly the fields of DESIGN.md', () => {
    const json = toSummaryJson({
      generatedAt: new Date(NOW).toISOString(),
      appliances: [summarisePoints([point({})], DEFAULT_STALE_POLICY, NOW, { name: 'a', url: 'https://a', apiVersion: 'v8.1', error: null, skipped: 2 })],
    }) as { appliances: Array<Record<string, unknown> & { destinations: Array<Record<string, unknown>>; workloads: Array<Record<string, unknown>> }> };
    const [appliance] = json.appliances;
    expect(Object.keys(appliance!).sort()).toEqual(
      ['name', 'url', 'apiVersion', 'error', 'restorePoints', 'corrupted', 'skipped', 'totalBytes', 'destinations', 'workloads', 'coverage', 'failures'].sort(),
    );
    expect(Object.keys(appliance!.destinations[0]!).sort()).toEqual(
      ['destination', 'restorePoints', 'totalBytes', 'latest', 'staleAfterSeconds', 'stale', 'staleWorkloads'].sort(),
    );
    expect(Object.keys(appliance!.destinations[0]!['latest'] as object).sort()).toEqual(
      ['id', 'pointInTime', 'ageSeconds', 'sizeBytes', 'jobSessionId', 'workload'].sort(),
    );
    // DESIGN "summary --json additions" (issue 13): id, lastFailure, and newest beside latest.
    expect(Object.keys(appliance!.workloads[0]!).sort()).toEqual(['kind', 'id', 'name', 'stale', 'destinations', 'lastFailure'].sort());
    const perDestination = (appliance!.workloads[0]!['destinations'] as Record<string, Record<string, unknown>>)['Snapshot']!;
    expect(Object.keys(perDestination).sort()).toEqual(['restorePoints', 'latest', 'newest', 'stale'].sort());
    expect(Object.keys(perDestination['newest'] as object).sort()).toEqual(['id', 'pointInTime', 'ageSeconds', 'sizeBytes', 'jobSessionId', 'workload', 'corrupted'].sort());
    expect(appliance!['skipped']).toBe(2);
  });
});

describe('compareDestinations', () => {
  it('orders the known destinations first', () => {
    expect(['Zeta', 'ManualSnapshot', 'Alpha', 'AzureBlob', 'Snapshot'].sort(compareDestinations)).toEqual([
      'Snapshot',
      'AzureBlob',
      'ManualSnapshot',
      'Alpha',
      'Zeta',
    ]);
  });
});
