/**
 * PointTally keeps, point by point, what a plain reading of all the points at once would give:
 * counts, bytes, the newest usable point per destination and per workload, and each workload's
 * newest points. This proves it against the plainest reference on random points, in random
 * order, with ties, corrupted points, unnamed points, and workloads that are equal but not the
 * same object; and summariseTally against a plain reading of the same points.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RestorePoint, Workload } from '../../src/restore-points/model.ts';
import { policyOf, staleAfterSeconds, staleAfterText, type StalePolicy } from '../../src/restore-points/stale-policy.ts';
import { formatDuration } from '../../src/lib/duration.ts';
import { compareDestinations } from '../../src/restore-points/model.ts';
import { summariseTally } from '../../src/restore-points/summarise.ts';
import type { ApplianceSummary, PointSummary } from '../../src/restore-points/summary.ts';
import { isNewer, PointTally, RECENT_POINTS } from '../../src/restore-points/tally.ts';

/** Newest first, ties by id: the order the tally promises. */
const newestFirst = (a: RestorePoint, b: RestorePoint) => (isNewer(a, b) ? -1 : isNewer(b, a) ? 1 : 0);

function reference(points: readonly RestorePoint[], asOf: number | null) {
  const kept = points.filter((point) => asOf === null || point.pointInTime <= asOf);
  const series = (of: readonly RestorePoint[]) => ({
    count: of.length,
    bytes: of.reduce((sum, point) => sum + (point.sizeBytes ?? 0), 0),
    latest: [...of].filter((point) => !point.corrupted).sort(newestFirst)[0] ?? null,
  });
  const byDestination = (of: readonly RestorePoint[]) => {
    const names = [...new Set(of.map((point) => point.destination))];
    return new Map(names.map((name) => [name, series(of.filter((point) => point.destination === name))]));
  };
  const workloadKeys = [...new Set(kept.filter((point) => point.workload).map((point) => `${point.workload!.kind}\u0000${point.workload!.name}`))];
  return {
    points: kept.length,
    corrupted: kept.filter((point) => point.corrupted).length,
    bytes: series(kept).bytes,
    destinations: byDestination(kept),
    workloads: new Map(
      workloadKeys.map((key) => {
        const of = kept.filter((point) => point.workload && `${point.workload.kind}\u0000${point.workload.name}` === key);
        return [key, { destinations: byDestination(of), recent: [...of].sort(newestFirst).slice(0, RECENT_POINTS) }];
      }),
    ),
  };
}

const names = ['vm-a', 'vm-b', 'vm-c', 'db'];
const point = fc.record({
  id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'),
  workload: fc.option(fc.record({ kind: fc.constantFrom('vm' as const, 'sql' as const), name: fc.constantFrom(...names) }), { nil: null }),
  pointInTime: fc.integer({ min: 0, max: 12 }).map((hour) => hour * 3_600_000),
  sizeBytes: fc.option(fc.nat(1000), { nil: null }),
  destination: fc.constantFrom('Snapshot', 'AzureBlob', 'ManualSnapshot', 'snapshot'),
  corrupted: fc.boolean(),
});

describe('PointTally', () => {
  it('agrees with a plain reading of all the points, in any order, as of any time', () => {
    fc.assert(
      fc.property(fc.array(point, { maxLength: 80 }), fc.boolean(), fc.option(fc.integer({ min: 0, max: 12 }).map((hour) => hour * 3_600_000), { nil: null }), (raw, interned, asOf) => {
        // Workloads interned (one object each, as the client does) or not (a new object per point).
        const shared = new Map<string, Workload>();
        const points: RestorePoint[] = raw.map((each, index) => {
          const key = each.workload && `${each.workload.kind}\u0000${each.workload.name}`;
          const workload = key === null ? null : interned ? (shared.get(key) ?? shared.set(key, { ...each.workload! }).get(key)!) : { ...each.workload! };
          return { ...each, id: `${each.id}${index % 3}`, workload, appliance: 'weu', type: null, immutableUntil: null, jobSessionId: null };
        });
        const tally = new PointTally(asOf);
        for (const each of points) tally.add(each);
        const expected = reference(points, asOf);

        expect(tally.points).toBe(expected.points);
        expect(tally.corrupted).toBe(expected.corrupted);
        expect(tally.bytes).toBe(expected.bytes);
        const seriesOf = (map: Map<string, { count: number; bytes: number; latest: RestorePoint | null }>) =>
          new Map([...map].map(([name, s]) => [name, { count: s.count, bytes: s.bytes, latest: s.latest }]));
        expect(seriesOf(tally.destinations)).toEqual(expected.destinations);
        expect([...tally.destinations.keys()]).toEqual([...expected.destinations.keys()]);
        const workloads = tally.workloads();
        expect(workloads).toHaveLength(expected.workloads.size);
        for (const workload of workloads) {
          const want = expected.workloads.get(`${workload.workload.kind}\u0000${workload.workload.name}`)!;
          expect(seriesOf(workload.destinations)).toEqual(want.destinations);
          expect(workload.recent).toEqual(want.recent);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

/** summariseTally as first written: sorts, thresholds and counts worked out per workload. */
function plainSummary(tally: PointTally, policy: StalePolicy, now: number): Omit<ApplianceSummary, 'name' | 'url' | 'apiVersion' | 'error' | 'warning' | 'skipped'> {
  const pointSummary = (point: RestorePoint): PointSummary => ({
    id: point.id,
    pointInTime: new Date(point.pointInTime).toISOString(),
    ageSeconds: Math.floor((now - point.pointInTime) / 1000),
    sizeBytes: point.sizeBytes,
    jobSessionId: point.jobSessionId,
    workload: point.workload?.name ?? null,
  });
  const isStale = (latest: PointSummary | null, threshold: number | null) => threshold !== null && (latest === null || latest.ageSeconds > threshold);
  const workloads = tally
    .workloads()
    .map(({ workload, destinations, recent }) => {
      // Issue 13 added `newest` and the trouble marks (no failures here: only corrupted newest points).
      const perDestination: Record<string, { restorePoints: number; latest: PointSummary | null; newest: (PointSummary & { corrupted: boolean }) | null; stale: boolean; trouble: 'corrupted' | null }> = {};
      let stale = false;
      for (const name of [...destinations.keys()].sort(compareDestinations)) {
        const series = destinations.get(name)!;
        const latest = series.latest && pointSummary(series.latest);
        const destinationStale = isStale(latest, staleAfterSeconds(policy, name));
        stale ||= destinationStale;
        const newest = series.newest && { ...pointSummary(series.newest), corrupted: series.newest.corrupted };
        perDestination[name] = { restorePoints: series.count, latest, newest, stale: destinationStale, trouble: series.newest?.corrupted ? 'corrupted' : null };
      }
      const recentPoints = recent.map((point) => ({ ...pointSummary(point), destination: point.destination, corrupted: point.corrupted, type: point.type }));
      const trouble = Object.values(perDestination).some((d) => d.trouble) ? ('corrupted' as const) : null;
      return { kind: workload.kind, id: null, name: workload.name, label: null, stale, trouble, lastFailure: null, destinations: perDestination, recent: recentPoints };
    })
    .sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const names = new Map<string, string>();
  for (const name of tally.destinations.keys()) names.set(name.toLowerCase(), name);
  for (const [key, threshold] of policy) if (threshold.seconds !== null && !names.has(key)) names.set(key, threshold.destination);
  const destinations = [...names.values()].sort(compareDestinations).map((name) => {
    const series = tally.destinations.get(name) ?? { count: 0, bytes: 0, latest: null, newest: null, sized: 0 };
    const latest = series.latest && pointSummary(series.latest);
    const threshold = staleAfterSeconds(policy, name);
    return {
      destination: name,
      restorePoints: series.count,
      totalBytes: series.bytes,
      latest,
      staleAfterSeconds: threshold,
      staleAfter: staleAfterText(policy, name, (seconds) => formatDuration(seconds * 1000)),
      stale: isStale(latest, threshold),
      staleWorkloads: workloads.filter((workload) => workload.destinations[name]?.stale).length,
      trouble: series.newest?.corrupted ? ('corrupted' as const) : null,
      troubledWorkloads: workloads.filter((workload) => workload.destinations[name]?.trouble && !workload.destinations[name]?.stale).length,
      sizedPoints: series.sized ?? 0,
    };
  });
  return { restorePoints: tally.points, corrupted: tally.corrupted, totalBytes: tally.bytes, destinations, workloads, coverage: null, failures: [], notes: [], sizedPoints: tally.sized };
}

describe('summariseTally', () => {
  const policies = fc.constantFrom(
    policyOf([{ destination: 'Snapshot', seconds: 3 * 3600 }, { destination: 'AzureBlob', seconds: 3600 }, { destination: 'ManualSnapshot', seconds: null }]),
    policyOf([{ destination: 'snapshot', seconds: 0 }, { destination: 'Tape', seconds: 60 }]),
    policyOf([]),
  );

  it('gives what its plainer first version gave', () => {
    fc.assert(
      fc.property(fc.array(point, { maxLength: 80 }), policies, fc.integer({ min: 0, max: 20 }).map((hour) => hour * 3_600_000), (raw, policy, now) => {
        const tally = new PointTally();
        raw.forEach((each, index) => tally.add({ ...each, id: `${each.id}${index}`, appliance: 'weu', type: index % 2 ? 'Full' : null, immutableUntil: null, jobSessionId: `s${index}` }));
        const { name: _n, url: _u, apiVersion: _a, error: _e, warning: _w, skipped: _s, ...summary } = summariseTally(tally, { name: 'weu', url: 'u', apiVersion: 'v8.1', error: null, skipped: 0 }, policy, now);
        expect(summary).toEqual(plainSummary(tally, policy, now));
        expect(JSON.stringify(summary)).toBe(JSON.stringify(plainSummary(tally, policy, now)));
      }),
      { numRuns: 2000 },
    );
  });
});
