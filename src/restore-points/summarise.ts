/**
 * From restore points to the summary: counts, totals, the newest usable point per destination
 * and per workload, and what is stale. Pure: `now` comes in, nothing is read from the clock.
 */
import { formatDuration } from '../lib/duration.ts';
import { coverageOf, lastBackupNotes } from './coverage.ts';
import { lastFailureFinder, summariseFailures, type LastFailure } from './failures.ts';
import { compareDestinations, type InventoryVm, type RestorePoint, type SessionFailure } from './model.ts';
import { staleAfterSeconds, staleAfterText, type StalePolicy } from './stale-policy.ts';
import type {
  ApplianceSummary,
  DestinationSummary,
  NewestPoint,
  PointSummary,
  RecentPoint,
  Trouble,
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
  /** The VM inventory; null or absent when there is none (no coverage then). */
  readonly inventory?: readonly InventoryVm[] | null;
  /** Failed and warning sessions of the failure window; null or absent when not read. */
  readonly failures?: readonly SessionFailure[] | null;
  /** Sentences about what could not be read beside the points. */
  readonly notes?: readonly string[];
  /** How far back failures were read (FAILURE_WINDOW). */
  readonly failureWindowMs?: number;
}

function pointSummary(point: RestorePoint, now: number): PointSummary {
  return {
    id: point.id,
    pointInTime: new Date(point.pointInTime).toISOString(),
    ageSeconds: Math.floor((now - point.pointInTime) / 1000),
    sizeBytes: point.sizeBytes,
    jobSessionId: point.jobSessionId,
    workload: point.workload?.name ?? null,
    ...(point.accessTier ? { accessTier: point.accessTier } : {}),
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

function newestSummary(point: RestorePoint | null, now: number): NewestPoint | null {
  return point && { ...pointSummary(point, now), corrupted: point.corrupted };
}

/**
 * One definition of trouble for a workload in a destination: its newest point there is
 * corrupted, or its newest failure made that point, or came after every point the workload has
 * anywhere (nothing has succeeded since). A failed backup does not mark a newer snapshot.
 */
function troubleIn(newest: RestorePoint | null, failure: LastFailure | null, newestAnywhere: RestorePoint | null): Trouble | null {
  if (newest?.corrupted) return 'corrupted';
  if (failure === null) return null;
  if (newest !== null && failure.sessionId === newest.jobSessionId) return statusTrouble(failure.status);
  return failedSince(failure, newestAnywhere) ? statusTrouble(failure.status) : null;
}

/** The failure started after the newest point of the workload (or there is none). */
function failedSince(failure: LastFailure, newestAnywhere: RestorePoint | null): boolean {
  const started = failure.startedAt === null ? null : Date.parse(failure.startedAt);
  return newestAnywhere === null || (started !== null && started > newestAnywhere.pointInTime);
}

/** Error (and RunningWithError) is Error; anything else a failure read returns is a warning. */
function statusTrouble(status: string): Trouble {
  return /error/i.test(status) ? 'Error' : 'Warning';
}

const TROUBLE_RANK: Record<Trouble, number> = { Error: 0, corrupted: 1, Warning: 2 };
const worst = (troubles: Iterable<Trouble | null>): Trouble | null =>
  [...troubles].reduce<Trouble | null>((worse, t) => (t !== null && (worse === null || TROUBLE_RANK[t] < TROUBLE_RANK[worse]) ? t : worse), null);

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
  const troubledWorkloads = new Map<string, number>();
  const failureOf = lastFailureFinder(facts.failures ?? []);
  const workloadTallies = tally.workloads();
  // Namesakes (same kind and name, two ids) get a label that tells them apart.
  const seen = new Map<string, number>();
  for (const { workload } of workloadTallies) seen.set(`${workload.kind}:${workload.name}`, (seen.get(`${workload.kind}:${workload.name}`) ?? 0) + 1);
  const workloads: WorkloadSummary[] = workloadTallies
    .map(({ workload, destinations, recent }) => {
      const perDestination: Record<string, WorkloadDestination> = {};
      const lastFailure = failureOf(workload);
      let stale = false;
      let newestOverall: RestorePoint | null = null;
      for (const series of destinations.values()) {
        if (series.newest && (newestOverall === null || series.newest.pointInTime > newestOverall.pointInTime)) newestOverall = series.newest;
      }
      for (const name of [...destinations.keys()].sort(compareDestinations)) {
        const series = destinations.get(name)!;
        const latest = series.latest && pointSummary(series.latest, now);
        const destinationStale = isStale(latest, staleAfterSeconds(policy, name));
        const trouble = troubleIn(series.newest, lastFailure, newestOverall);
        stale ||= destinationStale;
        if (destinationStale) staleWorkloads.set(name, (staleWorkloads.get(name) ?? 0) + 1);
        // Counted once: a stale workload is counted as stale, not as failing too.
        if (trouble && !destinationStale) troubledWorkloads.set(name, (troubledWorkloads.get(name) ?? 0) + 1);
        perDestination[name] = { restorePoints: series.count, latest, newest: newestSummary(series.newest, now), stale: destinationStale, trouble };
      }
      // A failure newer than every point (nothing made since) is trouble too.
      const failedLast = lastFailure !== null && failedSince(lastFailure, newestOverall);
      const trouble = worst([...Object.values(perDestination).map((d) => d.trouble), failedLast ? statusTrouble(lastFailure.status) : null]);
      const namesake = (seen.get(`${workload.kind}:${workload.name}`) ?? 0) > 1;
      const summary = {
        kind: workload.kind,
        id: workload.id ?? null,
        name: workload.name,
        label: namesake ? (workload.context ?? workload.id ?? null) : null,
        stale,
        trouble,
        lastFailure,
        destinations: perDestination,
      } as Omit<WorkloadSummary, 'recent'> as WorkloadSummary;
      return withLazyRecent(summary, recent, now);
    })
    .sort(
      (a, b) =>
        (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
        ((a.label ?? '') < (b.label ?? '') ? -1 : (a.label ?? '') > (b.label ?? '') ? 1 : 0),
    );

  const failedSessions = new Map((facts.failures ?? []).map((failure) => [failure.id, failure.status]));
  const names = new Map<string, string>();
  for (const name of tally.destinations.keys()) names.set(name.toLowerCase(), name);
  for (const [key, threshold] of policy) {
    if (threshold.seconds !== null && !names.has(key)) names.set(key, threshold.destination);
  }
  const empty: SeriesTally = { count: 0, bytes: 0, latest: null, newest: null };
  const destinations: DestinationSummary[] = [...names.values()].sort(compareDestinations).map((name) => {
    const series = tally.destinations.get(name) ?? empty;
    const latest = series.latest && pointSummary(series.latest, now);
    const threshold = staleAfterSeconds(policy, name);
    const latestSession = series.latest?.jobSessionId ? failedSessions.get(series.latest.jobSessionId) : undefined;
    const trouble: Trouble | null = series.newest?.corrupted ? 'corrupted' : latestSession ? statusTrouble(latestSession) : null;
    return {
      destination: name,
      restorePoints: series.count,
      totalBytes: series.bytes,
      latest,
      staleAfterSeconds: threshold,
      staleAfter: staleAfterText(policy, name, (seconds) => formatDuration(seconds * 1000)),
      stale: isStale(latest, threshold),
      staleWorkloads: staleWorkloads.get(name) ?? 0,
      trouble,
      troubledWorkloads: troubledWorkloads.get(name) ?? 0,
      sizedPoints: series.sized ?? 0,
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
    coverage: coverageOf(facts.inventory, workloads),
    failures: summariseFailures(facts.failures ?? []),
    // The appliance's last backups are about now: a summary "as of" a past instant leaves them out.
    notes: [...(facts.notes ?? []), ...(tally.asOf === null ? lastBackupNotes(facts.inventory, workloads) : [])],
    ...(facts.failureWindowMs === undefined ? {} : { failureWindowMs: facts.failureWindowMs }),
    sizedPoints: tally.sized,
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
