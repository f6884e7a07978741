/**
 * The summary as a terminal table, one block per appliance: what `summary` and `demo` print.
 * Pure text; `now` and the zone come in.
 */
import { formatAge, formatBytes, formatCount, plural } from '../restore-points/format.ts';
import type { ApplianceSummary, DestinationSummary, Summary } from '../restore-points/summary.ts';
import { localTime } from './local-time.ts';

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => [...row[column]!].length)));
  return rows.map((row) => row.map((cell, column) => cell + ' '.repeat(widths[column]! - [...cell].length)).join('  ').trimEnd());
}

function status(destination: DestinationSummary): string {
  if (destination.stale) return destination.latest ? 'STALE' : 'NONE';
  if (destination.staleWorkloads > 0) return `${destination.staleWorkloads} STALE`;
  return destination.staleAfterSeconds === null ? 'ok (no limit)' : 'ok';
}

export function renderApplianceTable(appliance: ApplianceSummary, timeZone: string): string {
  const lines: string[] = [];
  const facts = [
    appliance.apiVersion ? `API ${appliance.apiVersion}` : 'API unknown',
    plural(appliance.restorePoints, 'restore point'),
    formatBytes(appliance.totalBytes),
    ...(appliance.corrupted ? [`${formatCount(appliance.corrupted)} corrupted`] : []),
    ...(appliance.skipped ? [`${formatCount(appliance.skipped)} unreadable records skipped`] : []),
  ];
  lines.push(`${appliance.name}  ${appliance.url}`, `  ${facts.join(' · ')}`);
  if (appliance.error) lines.push(`  ✗ ${appliance.error}`);
  if (appliance.destinations.length > 0) {
    const rows = [
      ['Destination', 'Status', 'Latest', `Time (${timeZone})`, 'Size', 'Points', 'Workload'],
      ...appliance.destinations.map((d) => [
        d.destination,
        status(d),
        d.latest ? formatAge(d.latest.ageSeconds) : '—',
        d.latest ? localTime(d.latest.pointInTime, timeZone) : '—',
        d.latest ? formatBytes(d.latest.sizeBytes) : '—',
        formatCount(d.restorePoints),
        d.latest?.workload ?? '',
      ]),
    ];
    lines.push('', ...table(rows).map((line) => `  ${line}`));
  }
  const stale = appliance.workloads.filter((workload) => workload.stale);
  if (stale.length > 0) {
    lines.push('', `  Stale workloads (${stale.length}):`);
    for (const workload of stale) {
      const where = Object.entries(workload.destinations)
        .filter(([, state]) => state.stale)
        .map(([name, state]) => `${name} ${state.latest ? formatAge(state.latest.ageSeconds) : 'no usable point'}`);
      lines.push(`    ${workload.name} (${workload.kind}): ${where.join(', ')}`);
    }
  }
  return lines.join('\n');
}

export function renderSummaryTable(summary: Summary, timeZone: string): string {
  if (summary.appliances.length === 0) return 'No appliance is configured.';
  return summary.appliances.map((appliance) => renderApplianceTable(appliance, timeZone)).join('\n\n');
}
