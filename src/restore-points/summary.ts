/**
 * The summary: what `summary --json` prints (DESIGN.md, field for field) and what every message
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
    appliances: summary.appliances.map((appliance) => ({
      ...appliance,
      workloads: appliance.workloads.map(withoutRecent),
    })),
  };
}

/** The workload as the JSON document has it; `recent` is made lazily, so it is not even read. */
export function withoutRecent(workload: WorkloadSummary): Omit<WorkloadSummary, 'recent'> {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(workload)) if (key !== 'recent') copy[key] = workload[key as keyof WorkloadSummary];
  return copy as Omit<WorkloadSummary, 'recent'>;
}
