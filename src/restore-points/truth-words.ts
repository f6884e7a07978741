/**
 * The words every surface uses for issue 13's truths, so that Slack, the terminal and the
 * digest say the same thing with the same counts: trouble, the newest failure, archive-tier
 * points, sizes nobody knows, and an appliance's problems counted once. Plain text, pure.
 */
import type { LastFailure } from './failures.ts';
import { formatBytes, formatCount, plural } from './format.ts';
import { isArchived } from './model.ts';
import type { ApplianceSummary, PointSummary, Trouble, WorkloadSummary } from './summary.ts';

/** Nothing was read from it: its destinations say nothing beyond its error. */
export function unread(appliance: { error: string | null; restorePoints: number }): boolean {
  return appliance.error !== null && appliance.restorePoints === 0;
}

export function troubleWords(trouble: Trouble): string {
  switch (trouble) {
    case 'corrupted':
      return 'newest point corrupted';
    case 'Error':
      return 'newest session failed';
    case 'Warning':
      return 'newest session warned';
  }
}

/** For a destination: its latest point's own session, or a newer corrupted point. */
export function destinationTroubleWords(trouble: Trouble): string {
  switch (trouble) {
    case 'corrupted':
      return 'a newer point is corrupted';
    case 'Error':
      return 'made by a session that failed';
    case 'Warning':
      return 'made by a session that warned';
  }
}

/** "Error · Gold-VMs": what a failure is, before when and why. */
export function failureTitle(failure: Pick<LastFailure, 'status' | 'policy'>): string {
  return [failure.status, failure.policy].filter(Boolean).join(' · ');
}

/** The name, and what tells it apart from a namesake: "vm-web-01 (rg-dev · Development)". */
export function workloadName(workload: Pick<WorkloadSummary, 'name' | 'label'>): string {
  return workload.label ? `${workload.name} (${workload.label})` : workload.name;
}

/** " · archive tier: retrieve before restoring" for an archived point; "" otherwise. */
export function archiveNote(point: Pick<PointSummary, 'accessTier'> | null): string {
  return point && isArchived(point) ? ' · archive tier: retrieve before restoring' : '';
}

/** A total: "size unknown" when no point had a known size (0 B would state a fact nobody knows). */
export function formatTotal(bytes: number, points: number, sizedPoints: number | undefined): string {
  return points > 0 && sizedPoints === 0 ? 'size unknown' : formatBytes(bytes);
}

/** An appliance's problems, counted once: the verdict and the appliance's line say the same. */
export interface ApplianceCounts {
  readonly staleDestinations: number;
  readonly staleWorkloads: number;
  /** Workloads that are not stale but whose newest point is corrupted or whose newest session failed or warned. */
  readonly failing: number;
  readonly unprotected: number;
}

export function countsOf(appliance: ApplianceSummary): ApplianceCounts {
  if (unread(appliance)) return { staleDestinations: 0, staleWorkloads: 0, failing: 0, unprotected: 0 };
  return {
    staleDestinations: appliance.destinations.filter((d) => d.stale).length,
    staleWorkloads: appliance.workloads.filter((w) => w.stale).length,
    failing: appliance.workloads.filter((w) => !w.stale && w.trouble !== null).length,
    unprotected: appliance.coverage?.unprotected.length ?? 0,
  };
}

/** "1 stale destination · 4 stale workloads · 1 failing · 2 unprotected"; empty when none. */
export function countWords(counts: ApplianceCounts): string[] {
  return [
    ...(counts.staleDestinations ? [plural(counts.staleDestinations, 'stale destination')] : []),
    ...(counts.staleWorkloads ? [plural(counts.staleWorkloads, 'stale workload')] : []),
    ...(counts.failing ? [`${formatCount(counts.failing)} failing`] : []),
    ...(counts.unprotected ? [`${formatCount(counts.unprotected)} unprotected`] : []),
  ];
}
