/**
 * The summary: what `summary --json` prints (docs/contract.md, field for field) and what every message
 * is rendered from. `WorkloadSummary.recent` is the one addition, for answers about a single
 * workload; `toSummaryJson` leaves it out of the public document.
 */
import type { WorkloadKind } from './model.ts';

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
}

export interface WorkloadDestination {
  readonly restorePoints: number;
  readonly latest: PointSummary | null;
  readonly stale: boolean;
}

export interface RecentPoint extends PointSummary {
  readonly destination: string;
  readonly corrupted: boolean;
  readonly type: string | null;
}

export interface WorkloadSummary {
  readonly kind: WorkloadKind;
  readonly name: string;
  readonly stale: boolean;
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
}

export interface Summary {
  readonly generatedAt: string;
  readonly appliances: readonly ApplianceSummary[];
}

/** The public `summary --json` document: the summary without the internal `recent` lists. */
export function toSummaryJson(summary: Summary): unknown {
  return {
    generatedAt: summary.generatedAt,
    appliances: summary.appliances.map(({ warning, ...appliance }) => ({
      ...appliance,
      destinations: appliance.destinations.map(({ staleAfter: _written, ...destination }) => destination),
      // Only when there is something to say: most appliances have no warning.
      ...(warning === null ? {} : { warning }),
      workloads: appliance.workloads.map(({ recent: _recent, ...workload }) => workload),
    })),
  };
}
