/**
 * From restore points to the summary: counts, totals, the newest usable point per destination
 * and per workload, and what is stale. Pure: `now` comes in, nothing is read from the clock.
 */
import { compareDestinations, type RestorePoint } from './model.ts';
import { formatDuration } from '../lib/duration.ts';
import { staleAfterSeconds, staleAfterText, type StalePolicy } from './stale-policy.ts';
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

/**
 * What the appliance's line must say beside its points: points dated in the future (its clock or
 * data is wrong, and they would have hidden staleness), and byte totals too large to count exactly.
 */
function warningOf(tally: PointTally): string | null {
  const sentences: string[] = [];
  if (tally.future > 0) {
    const many = tally.future === 1 ? '1 restore point is' : `${tally.future} restore points are`;
    const newest = tally.newestFuture === null ? '' : ` (up to ${new Date(tally.newestFuture).toISOString()})`;
    sentences.push(`${many} dated more than 10 minutes in the future${newest}: the appliance's clock or data looks wrong; they are counted but never shown as the latest.`);
  }
  if (tally.bytesSaturated) {
    sentences.push(`Sizes add up to more than ${Number.MAX_SAFE_INTEGER} bytes, past what is counted exactly: such a total is shown as that number, at least.`);
  }
  return sentences.length > 0 ? sentences.join(' ') : null;
}

/** Strictly older than the threshold; no usable point at all is stale too (when a threshold is set). */
function isStale(latest: PointSummary | null, threshold: number | null): boolean {
  return threshold !== null && (latest === null || latest.ageSeconds > threshold);
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
      const recentPoints: RecentPoint[] = recent.map((point) => ({
        ...pointSummary(point, now),
        destination: point.destination,
        corrupted: point.corrupted,
        type: point.type,
      }));
      return { kind: workload.kind, name: workload.name, stale, destinations: perDestination, recent: recentPoints };
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
      staleAfter: staleAfterText(policy, name, (seconds) => formatDuration(seconds * 1000)),
      stale: isStale(latest, threshold),
      staleWorkloads: staleWorkloads.get(name) ?? 0,
    };
  });

  return {
    name: facts.name,
    url: facts.url,
    apiVersion: facts.apiVersion,
    error: facts.error,
    warning: warningOf(tally),
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
  const tally = new PointTally(null, now);
  for (const point of points) tally.add(point);
  return summariseTally(tally, facts, policy, now);
}
