/**
 * The words every surface uses for issue 13's truths, so that Slack, the terminal and the
 * digest say the same thing with the same counts: trouble, the newest failure, archive-tier
 * points, sizes nobody knows, and an appliance's problems counted once. Plain text, pure.
 */
import type { LastFailure } from './failures.ts';
import { formatBytes, formatCount, plural } from './format.ts';
import { isArchived } from './model.ts';
import { formatDuration } from '../lib/duration.ts';
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

/** The failure window when none is said: FAILURE_WINDOW's default. */
const DEFAULT_WINDOW_MS = 24 * 3_600_000;

/** "24h", "48h", "7d": how far back failures were read, as people say it. */
export function windowWords(ms: number): string {
  return ms % 3_600_000 === 0 && ms <= 72 * 3_600_000 ? `${ms / 3_600_000}h` : formatDuration(ms);
}

/**
 * An appliance's problems, counted once: the verdict and the appliance's line say the same, and
 * each can be recounted from `summary --json`. A workload is stale, or else (not stale) counted
 * under its worst trouble: failed, warned, or a corrupted newest point.
 */
export interface ApplianceCounts {
  readonly staleDestinations: number;
  readonly staleWorkloads: number;
  /** Not stale; the newest session of the failure window that processed it ended Error for it (`lastFailure.status`). */
  readonly failed: number;
  /** Not stale; that session ended Warning. */
  readonly warned: number;
  /** Not stale, no failure: its newest point is corrupted. */
  readonly corrupted: number;
  readonly unprotected: number;
  /** FAILURE_WINDOW, for the words. */
  readonly failureWindowMs: number;
}

export function countsOf(appliance: ApplianceSummary): ApplianceCounts {
  const failureWindowMs = appliance.failureWindowMs ?? DEFAULT_WINDOW_MS;
  if (unread(appliance)) return { staleDestinations: 0, staleWorkloads: 0, failed: 0, warned: 0, corrupted: 0, unprotected: 0, failureWindowMs };
  const troubled = (trouble: Trouble) => appliance.workloads.filter((w) => !w.stale && w.trouble === trouble).length;
  return {
    staleDestinations: appliance.destinations.filter((d) => d.stale).length,
    staleWorkloads: appliance.workloads.filter((w) => w.stale).length,
    failed: troubled('Error'),
    warned: troubled('Warning'),
    corrupted: troubled('corrupted'),
    unprotected: appliance.coverage?.unprotected.length ?? 0,
    failureWindowMs,
  };
}

/** "1 stale destination · 4 stale workloads · 1 failed · 1 warned in the last 24h · 1 corrupted newest point · 2 unprotected"; empty when none. */
export function countWords(counts: ApplianceCounts): string[] {
  const sessions = [...(counts.failed ? [`${formatCount(counts.failed)} failed`] : []), ...(counts.warned ? [`${formatCount(counts.warned)} warned`] : [])];
  if (sessions.length) sessions[sessions.length - 1] += ` in the last ${windowWords(counts.failureWindowMs)}`;
  return [
    ...(counts.staleDestinations ? [plural(counts.staleDestinations, 'stale destination')] : []),
    ...(counts.staleWorkloads ? [plural(counts.staleWorkloads, 'stale workload')] : []),
    ...sessions,
    ...(counts.corrupted ? [plural(counts.corrupted, 'corrupted newest point')] : []),
    ...(counts.unprotected ? [`${formatCount(counts.unprotected)} unprotected`] : []),
  ];
}
