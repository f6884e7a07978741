/**
 * The one-line verdict on a summary: what a channel notification alone must tell. Never green
 * while an appliance could not be read, something is stale or failed, or a VM is unprotected;
 * it leads with coverage when the appliances have an inventory.
 */
import { formatCount, plural } from './format.ts';
import type { Summary } from './summary.ts';
import { countsOf, countWords, formatTotal, unread, type ApplianceCounts } from './truth-words.ts';

/** The counts of every appliance together (each as ApplianceCounts defines it), and the line that says them. */
export interface Verdict extends Omit<ApplianceCounts, 'failureWindowMs'> {
  readonly emoji: string;
  /** One line: verdict and counts, e.g. "✅ All fresh · 3 destinations · 1,204 restore points · 12.1 TiB". */
  readonly line: string;
  readonly unreadable: number;
}

export { unread };

export function verdictOf(summary: Summary): Verdict {
  const appliances = summary.appliances;
  const unreadable = appliances.filter((a) => a.error).length;
  // An appliance that could not be read at all is counted as unreachable, not as stale too.
  const counts = appliances.map(countsOf);
  const sum = (pick: (c: ApplianceCounts) => number) => counts.reduce((n, c) => n + pick(c), 0);
  const total: ApplianceCounts = {
    staleDestinations: sum((c) => c.staleDestinations),
    staleWorkloads: sum((c) => c.staleWorkloads),
    failed: sum((c) => c.failed),
    warned: sum((c) => c.warned),
    corrupted: sum((c) => c.corrupted),
    unprotected: sum((c) => c.unprotected),
    // One FAILURE_WINDOW for every appliance; the widest if they ever differ.
    failureWindowMs: counts.reduce((widest, c) => Math.max(widest, c.failureWindowMs), 0),
  };
  const destinations = appliances.reduce((n, a) => n + (unread(a) ? 0 : a.destinations.length), 0);
  const points = appliances.reduce((n, a) => n + a.restorePoints, 0);
  const bytes = appliances.reduce((n, a) => n + a.totalBytes, 0);
  const sized = appliances.reduce((n, a) => n + (a.sizedPoints ?? a.restorePoints), 0);
  const totals = [plural(destinations, 'destination'), plural(points, 'restore point'), formatTotal(bytes, points, sized)];
  const { staleDestinations, staleWorkloads, failed, warned, corrupted, unprotected } = total;
  const base = { unreadable, staleDestinations, staleWorkloads, failed, warned, corrupted, unprotected };
  if (appliances.length === 0) return { emoji: '⚪', line: '⚪ No appliance is configured', ...base };
  // Coverage leads: "14 of 16 VMs protected", over the appliances whose inventory was read.
  const covered = appliances.filter((a) => a.coverage && !unread(a));
  const inventory = covered.reduce((n, a) => n + a.coverage!.workloads, 0);
  const coverage = inventory > 0 ? [`${formatCount(inventory - total.unprotected)} of ${plural(inventory, 'VM')} protected`] : [];
  const problems = [
    ...(unreadable ? [`${formatCount(unreadable)} ${unreadable === 1 ? 'appliance' : 'appliances'} unreachable`] : []),
    ...countWords({ ...total, unprotected: 0 }),
  ];
  const emoji = unreadable ? '🔴' : problems.length || total.unprotected ? '⚠️' : '✅';
  const head = [...coverage, ...(problems.length ? problems : ['All fresh'])].join(' · ');
  return { emoji, line: `${emoji} ${head} · ${totals.join(' · ')}`, ...base };
}
