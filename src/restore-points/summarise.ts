/**
 * From restore points to the summary: counts, totals, the newest usable point per destination
 * and per workload, and what is stale. Pure: `now` comes in, nothing is read from the clock.
 */
import { compareDestinations, type RestorePoint } from './model.ts';
import { staleAfterSeconds, type StalePolicy } from './stale-policy.ts';
import type {
  ApplianceSummary,
  DestinationSummary,
  PointSummary,
  RecentPoint,
  WorkloadDestination,
  WorkloadSummary,
} from './summary.ts';
import { PointTally, type SeriesTally } from './tally.ts';

/** What the summary says about the appliance itself, beside its points. */
export interface ApplianceFacts {
  readonly name: string;
  readonly url: string;
  readonly apiVersion: string | null;
  readonly error: string | null;
  readonly skipped: number;
}

function pointSummary(point: RestorePoint, now: number): PointSummary {
  return {
    id: point.id,
    pointInTime: new Date(point.pointInTime).toISOString(),
    ageSeconds: Math.floor((now - point.pointInTime) / 1000),
    sizeBytes: point.sizeBytes,
    jobSessionId: point.jobSessionId,
    workload: point.workload?.name ?? null,
  };
}

/** Strictly older than the threshold; no usable point at all is stale too (when a threshold is set). */
function isStale(latest: PointSummary | null, threshold: number | null): boolean {
  return threshold !== null && (latest === null || latest.ageSeconds > threshold);
}

/**
 * `recent` is made when first read: only answers about one workload read it, and made for every
 * workload it was most of the memory `summary --json` took at 100,000 workloads.
 */
function withLazyRecent(summary: WorkloadSummary, recent: readonly RestorePoint[], now: number): WorkloadSummary {
  let made: RecentPoint[] | null = null;
  return Object.defineProperty(summary, 'recent', {
    enumerable: true,
    get: () =>
      (made ??= recent.map((point) => ({
        ...pointSummary(point, now),
        destination: point.destination,
        corrupted: point.corrupted,
        type: point.type,
      }))),
  });
}

export function summariseTally(tally: PointTally, facts: ApplianceFacts, policy: StalePolicy, now: number): ApplianceSummary {
  const staleWorkloads = new Map<string, number>();
  const workloads: WorkloadSummary[] = tally
    .workloads()
    .map(({ workload, destinations, recent }) => {
      const perDestination: Record<string, WorkloadDestination> = {};
      let stale = false;
      for (const name of [...destinations.keys()].sort(compareDestinations)) {
        const series = destinations.get(name)!;
        const latest = series.latest && pointSummary(series.latest, now);
        const destinationStale = isStale(latest, staleAfterSeconds(policy, name));
        stale ||= destinationStale;
        if (destinationStale) staleWorkloads.set(name, (staleWorkloads.get(name) ?? 0) + 1);
        perDestination[name] = { restorePoints: series.count, latest, stale: destinationStale };
      }
      const summary = { kind: workload.kind, name: workload.name, stale, destinations: perDestination } as WorkloadSummary;
      return withLazyRecent(summary, recent, now);
    })
    .sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const names = new Map<string, string>();
  for (const name of tally.destinations.keys()) names.set(name.toLowerCase(), name);
  for (const [key, threshold] of policy) {
    if (threshold.seconds !== null && !names.has(key)) names.set(key, threshold.destination);
  }
  const empty: SeriesTally = { count: 0, bytes: 0, latest: null };
  const destinations: DestinationSummary[] = [...names.values()].sort(compareDestinations).map((name) => {
    const series = tally.destinations.get(name) ?? empty;
    const latest = series.latest && pointSummary(series.latest, now);
    const threshold = staleAfterSeconds(policy, name);
    return {
      destination: name,
      restorePoints: series.count,
      totalBytes: series.bytes,
      latest,
      staleAfterSeconds: threshold,
      stale: isStale(latest, threshold),
      staleWorkloads: staleWorkloads.get(name) ?? 0,
    };
  });

  return {
    name: facts.name,
    url: facts.url,
    apiVersion: facts.apiVersion,
    error: facts.error,
    restorePoints: tally.points,
    corrupted: tally.corrupted,
    skipped: facts.skipped,
    totalBytes: tally.bytes,
    destinations,
    workloads,
  };
}

/**
 * The summary of a list of points, as of `now`, through the same tally production folds pages
 * into: for callers that hold the points in memory (tests, the benchmark).
 */
export function summarisePoints(
  points: Iterable<RestorePoint>,
  policy: StalePolicy,
  now: number,
  facts: ApplianceFacts = { name: '', url: '', apiVersion: null, error: null, skipped: 0 },
): ApplianceSummary {
  const tally = new PointTally();
  for (const point of points) tally.add(point);
  return summariseTally(tally, facts, policy, now);
}
