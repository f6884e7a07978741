/**
 * A running tally of restore points, built one point at a time as pages arrive, so that reading
 * an appliance never needs all its points in memory at once. Its size grows with workloads and
 * destinations, not with points. `summariseTally` turns it into a summary for a given `now`.
 */
import { workloadKey, type RestorePoint, type Workload, type WorkloadKind } from './model.ts';

/** How many recent points a workload keeps for answers about that workload. */
export const RECENT_POINTS = 5;

/** A point dated further ahead than this is from a wrong clock or wrong data: never the latest. */
export const FUTURE_TOLERANCE_MS = 10 * 60_000;

/**
 * Byte totals saturate here rather than round: per point sizes are at most 2^53 (to-domain), and
 * a sum past Number.MAX_SAFE_INTEGER would no longer be exact. The summary says when it happened.
 */
function addBytes(total: number, size: number | null): number {
  return Math.min(total + (size ?? 0), Number.MAX_SAFE_INTEGER);
}

/** True when adding `size` to `total` would pass Number.MAX_SAFE_INTEGER (and so saturates). */
const saturates = (total: number, size: number | null) => total + (size ?? 0) > Number.MAX_SAFE_INTEGER;

export interface SeriesTally {
  count: number;
  bytes: number;
  /** Points whose size is known: a total of 0 from none of them is "size unknown", not 0 B. */
  sized?: number;
  /** The newest point that is not corrupted. */
  latest: RestorePoint | null;
  /** The newest point whatever its state (corrupted included). */
  newest: RestorePoint | null;
}

export interface WorkloadTally {
  readonly workload: Workload;
  readonly destinations: Map<string, SeriesTally>;
  /** Newest first, at most RECENT_POINTS, corrupted ones included. */
  readonly recent: RestorePoint[];
}

/** Newer first; equal times by id, so the result never depends on page arrival order. */
export function isNewer(a: RestorePoint, b: RestorePoint): boolean {
  return a.pointInTime > b.pointInTime || (a.pointInTime === b.pointInTime && a.id > b.id);
}

function addToSeries(series: SeriesTally, point: RestorePoint, future: boolean): void {
  series.count++;
  series.bytes = addBytes(series.bytes, point.sizeBytes);
  if (point.sizeBytes !== null) series.sized = (series.sized ?? 0) + 1;
  // A point from a wrong clock is neither the latest nor the newest: it would hide staleness.
  if (future) return;
  if (!point.corrupted && (series.latest === null || isNewer(point, series.latest))) series.latest = point;
  if (series.newest === null || isNewer(point, series.newest)) series.newest = point;
}

function addToRecent(recent: RestorePoint[], point: RestorePoint): void {
  if (recent.length === RECENT_POINTS && !isNewer(point, recent[RECENT_POINTS - 1]!)) return;
  let index = recent.length;
  while (index > 0 && isNewer(point, recent[index - 1]!)) index--;
  recent.splice(index, 0, point);
  if (recent.length > RECENT_POINTS) recent.pop();
}

const newSeries = (): SeriesTally => ({ count: 0, bytes: 0, latest: null, newest: null });

export class PointTally {
  /** Points after this instant (epoch ms) are left out: the tally "as of" a time. Null: all. */
  readonly asOf: number | null;
  /** Points dated after this instant are counted but never the latest (null: no such check). */
  readonly futureAfter: number | null;
  points = 0;
  corrupted = 0;
  bytes = 0;
  /** Points dated more than FUTURE_TOLERANCE_MS after the `now` given, and the newest of them. */
  future = 0;
  newestFuture: number | null = null;
  /** A byte total would have passed Number.MAX_SAFE_INTEGER and stopped there instead. */
  bytesSaturated = false;
  /** Points whose size is known. */
  sized = 0;
  readonly destinations = new Map<string, SeriesTally>();
  readonly #workloads = new Map<WorkloadKind, Map<string, WorkloadTally>>();
  /** The same tallies by Workload object (equal objects share a key); weak, so a source that
   * makes one object per point holds none of them here. */
  readonly #byObject = new WeakMap<Workload, WorkloadTally>();

  /** `now`: when the read started; points dated more than 10 minutes after it are never the latest. */
  constructor(asOf: number | null = null, now: number | null = null) {
    this.asOf = asOf;
    this.futureAfter = now === null ? null : now + FUTURE_TOLERANCE_MS;
  }

  add(point: RestorePoint): void {
    if (this.asOf !== null && point.pointInTime > this.asOf) return;
    this.points++;
    if (point.corrupted) this.corrupted++;
    // The appliance total is the largest: when it does not saturate, no destination's does.
    if (saturates(this.bytes, point.sizeBytes)) this.bytesSaturated = true;
    this.bytes = addBytes(this.bytes, point.sizeBytes);
    if (point.sizeBytes !== null) this.sized++;
    const future = this.futureAfter !== null && point.pointInTime > this.futureAfter;
    if (future) {
      this.future++;
      this.newestFuture = Math.max(this.newestFuture ?? point.pointInTime, point.pointInTime);
    }
    let series = this.destinations.get(point.destination);
    if (!series) this.destinations.set(point.destination, (series = newSeries()));
    addToSeries(series, point, future);
    if (point.workload) this.#addToWorkload(point.workload, point, future);
  }

  workloads(): WorkloadTally[] {
    return [...this.#workloads.values()].flatMap((byKey) => [...byKey.values()]);
  }

  #addToWorkload(workload: Workload, point: RestorePoint, future: boolean): void {
    // A read hands every point of a workload the same object (to-domain's interner): found by
    // that object, no key string is built and hashed per point (a quarter of the tally's time).
    let tally = this.#byObject.get(workload);
    if (!tally) {
      let byKey = this.#workloads.get(workload.kind);
      if (!byKey) this.#workloads.set(workload.kind, (byKey = new Map()));
      // By the appliance's id when it names one: namesakes in two resource groups stay apart.
      const key = workloadKey(workload);
      tally = byKey.get(key);
      if (!tally) byKey.set(key, (tally = { workload, destinations: new Map(), recent: [] }));
      this.#byObject.set(workload, tally);
    }
    let series = tally.destinations.get(point.destination);
    if (!series) tally.destinations.set(point.destination, (series = newSeries()));
    addToSeries(series, point, future);
    addToRecent(tally.recent, point);
  }
}
