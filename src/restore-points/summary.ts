/**
 * The summary: what `summary --json` prints (docs/contract.md, field for field) and what every message
 * is rendered from. `WorkloadSummary.recent` is the one addition, for answers about a single
 * workload; `toSummaryJson` leaves it out of the public document.
 */
import type { Coverage } from './coverage.ts';
import type { FailureSummary, LastFailure } from './failures.ts';
import type { WorkloadKind } from './model.ts';

/**
 * Why a workload or destination must not get the "all good" mark although it may be fresh: its
 * newest point is corrupted, or the newest session that processed it ended Error or Warning.
 */
export type Trouble = 'corrupted' | 'Error' | 'Warning';

export interface PointSummary {
  readonly id: string;
  /** ISO 8601, UTC. */
  readonly pointInTime: string;
  /** Seconds between the point and the summary's `now` (negative for a point dated in the future). */
  readonly ageSeconds: number;
  readonly sizeBytes: number | null;
  readonly jobSessionId: string | null;
  /** The workload's name; null when the API does not name it. */
  readonly workload: string | null;
  /** Hot, Cool, Archive… (not in the JSON: messages label archive-tier points). */
  readonly accessTier?: string | null;
}

/** The newest point whatever its state. */
export interface NewestPoint extends PointSummary {
  readonly corrupted: boolean;
}

export interface DestinationSummary {
  readonly destination: string;
  readonly restorePoints: number;
  readonly totalBytes: number;
  /** The newest point that is not corrupted; null when there is none. */
  readonly latest: PointSummary | null;
  readonly staleAfterSeconds: number | null;
  /** The threshold as configured (`26h`, not `1d 2h`), for messages; null when none. Not in the JSON document. */
  readonly staleAfter: string | null;
  readonly stale: boolean;
  readonly staleWorkloads: number;
  /** Not in the JSON: a newer corrupted point, or the latest point's session failed or warned. */
  readonly trouble: Trouble | null;
  /** Not in the JSON: workloads not stale here whose newest point here is corrupted or whose newest session failed or warned. */
  readonly troubledWorkloads: number;
  /** Not in the JSON: points here whose size is known (none: the total is unknown, not 0 B). */
  readonly sizedPoints?: number;
}

export interface WorkloadDestination {
  readonly restorePoints: number;
  readonly latest: PointSummary | null;
  /** The newest point whatever its state; the same point as `latest` when that one is usable. */
  readonly newest: NewestPoint | null;
  readonly stale: boolean;
  /** Not in the JSON. */
  readonly trouble: Trouble | null;
}

export interface RecentPoint extends PointSummary {
  readonly destination: string;
  readonly corrupted: boolean;
  readonly type: string | null;
}

export interface WorkloadSummary {
  readonly kind: WorkloadKind;
  /** The appliance's id for the workload; null when the API names none. */
  readonly id: string | null;
  readonly name: string;
  /** Not in the JSON: what tells it apart from a namesake on the same appliance; null when no namesake. */
  readonly label: string | null;
  readonly stale: boolean;
  /** Not in the JSON: set when it must not get the "all good" mark (see Trouble). */
  readonly trouble: Trouble | null;
  /** The newest session of the failure window that processed it and ended Error or Warning for it. */
  readonly lastFailure: LastFailure | null;
  readonly destinations: Readonly<Record<string, WorkloadDestination>>;
  /** The newest points of any state, newest first (not part of the JSON document). */
  readonly recent: readonly RecentPoint[];
}

export interface ApplianceSummary {
  readonly name: string;
  readonly url: string;
  /** As detected or configured; null when the appliance was never reached. */
  readonly apiVersion: string | null;
  /** A sentence when the appliance could not be read (fully); what was read is still reported. */
  readonly error: string | null;
  /** A sentence about data that looks wrong but did not stop the read (points dated in the future); null when none. */
  readonly warning: string | null;
  readonly restorePoints: number;
  readonly corrupted: number;
  readonly skipped: number;
  readonly totalBytes: number;
  readonly destinations: readonly DestinationSummary[];
  readonly workloads: readonly WorkloadSummary[];
  /** Null when there is no VM inventory. */
  readonly coverage: Coverage | null;
  /** Sessions of the failure window that ended Error or Warning, newest first. */
  readonly failures: readonly FailureSummary[];
  /** Not in the JSON: sentences about what could not be read beside the points. */
  readonly notes: readonly string[];
  /** Not in the JSON: points whose size is known (none: the total is unknown, not 0 B). */
  readonly sizedPoints?: number;
  /** Not in the JSON: how far back failures were read (FAILURE_WINDOW), for the words; absent: 24h. */
  readonly failureWindowMs?: number;
}

export interface Summary {
  readonly generatedAt: string;
  readonly appliances: readonly ApplianceSummary[];
}

/** A point as the JSON shows it: without the access tier (messages only). */
function publicPoint<T extends PointSummary>(point: T | null): Omit<T, 'accessTier'> | null {
  if (point === null) return null;
  const { accessTier: _tier, ...rest } = point;
  return rest;
}

/** The public `summary --json` document: the summary without what only messages use. */
export function toSummaryJson(summary: Summary): unknown {
  return {
    generatedAt: summary.generatedAt,
    appliances: summary.appliances.map(({ notes: _notes, sizedPoints: _sized, failureWindowMs: _window, warning, destinations, workloads, coverage, failures, ...appliance }) => ({
      ...appliance,
      // Only when there is something to say: most appliances have no warning.
      ...(warning === null ? {} : { warning }),
      destinations: destinations.map(({ trouble: _t, troubledWorkloads: _n, sizedPoints: _s, staleAfter: _written, latest, ...destination }) => ({ ...destination, latest: publicPoint(latest) })),
      workloads: workloads.map(publicWorkload),
      coverage: coverage && { workloads: coverage.workloads, protected: coverage.protected, unprotected: coverage.unprotected.map(({ kind, id, name }) => ({ kind, id, name })) },
      failures,
    })),
  };
}

/**
 * The workload as the JSON document has it, field by field: `recent` (made lazily, only for
 * answers), the label and the trouble mark are for messages, and are not even read here.
 */
export function publicWorkload(workload: WorkloadSummary): unknown {
  const { lastFailure } = workload;
  return {
    kind: workload.kind,
    id: workload.id,
    name: workload.name,
    stale: workload.stale,
    destinations: Object.fromEntries(
      Object.entries(workload.destinations).map(([name, state]) => [
        name,
        { restorePoints: state.restorePoints, latest: publicPoint(state.latest), newest: publicPoint(state.newest), stale: state.stale },
      ]),
    ),
    lastFailure: lastFailure && { sessionId: lastFailure.sessionId, status: lastFailure.status, startedAt: lastFailure.startedAt, message: lastFailure.message },
  };
}
