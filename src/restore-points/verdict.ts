/**
 * The one-line verdict on a summary: what a channel notification alone must tell. Never green
 * while an appliance could not be read.
 */
import { formatBytes, formatCount, plural } from './format.ts';
import type { Summary } from './summary.ts';

export interface Verdict {
  readonly emoji: string;
  /** One line: verdict and counts, e.g. "✅ All fresh · 3 destinations · 1,204 restore points · 12.1 TiB". */
  readonly line: string;
  readonly unreadable: number;
  readonly staleDestinations: number;
  readonly staleWorkloads: number;
}

/** Nothing was read from it: its destinations say nothing beyond its error. */
export function unread(appliance: { error: string | null; restorePoints: number }): boolean {
  return appliance.error !== null && appliance.restorePoints === 0;
}

export function verdictOf(summary: Summary): Verdict {
  const appliances = summary.appliances;
  const unreadable = appliances.filter((a) => a.error).length;
  // An appliance that could not be read at all is counted as unreachable, not as stale too.
  const staleDestinations = appliances.reduce((n, a) => n + (unread(a) ? 0 : a.destinations.filter((d) => d.stale).length), 0);
  const staleWorkloads = appliances.reduce((n, a) => n + a.workloads.filter((w) => w.stale).length, 0);
  const destinations = appliances.reduce((n, a) => n + (unread(a) ? 0 : a.destinations.length), 0);
  const points = appliances.reduce((n, a) => n + a.restorePoints, 0);
  const bytes = appliances.reduce((n, a) => n + a.totalBytes, 0);
  const totals = [plural(destinations, 'destination'), plural(points, 'restore point'), formatBytes(bytes)];
  if (appliances.length === 0) return { emoji: '⚪', line: '⚪ No appliance is configured', unreadable, staleDestinations, staleWorkloads };
  const problems = [
    ...(unreadable ? [`${formatCount(unreadable)} ${unreadable === 1 ? 'appliance' : 'appliances'} unreachable`] : []),
    ...(staleDestinations ? [plural(staleDestinations, 'stale destination')] : []),
    ...(staleWorkloads ? [plural(staleWorkloads, 'stale workload')] : []),
  ];
  const emoji = unreadable ? '🔴' : problems.length ? '⚠️' : '✅';
  const head = problems.length ? problems.join(' · ') : 'All fresh';
  return { emoji, line: `${emoji} ${head} · ${totals.join(' · ')}`, unreadable, staleDestinations, staleWorkloads };
}

