/**
 * The summary as a terminal table, one block per appliance: what `summary` and `demo` print.
 * Pure text; `now` and the zone come in.
 */
import type { LastFailure } from '../restore-points/failures.ts';
import { formatAge, formatBytes, formatCount, plural } from '../restore-points/format.ts';
import type { ApplianceSummary, DestinationSummary, Summary, WorkloadSummary } from '../restore-points/summary.ts';
import { archiveNote, destinationTroubleWords, formatTotal, troubleWords, unread, workloadName } from '../restore-points/truth-words.ts';
import { localTime } from './local-time.ts';

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => [...row[column]!].length)));
  return rows.map((row) => row.map((cell, column) => cell + ' '.repeat(widths[column]! - [...cell].length)).join('  ').trimEnd());
}

/** The destination's own state, as its JSON `stale` says; stale workloads have their own column. */
function status(destination: DestinationSummary): string {
  if (destination.stale) return destination.latest ? 'STALE' : destination.restorePoints > 0 ? 'STALE (none usable)' : 'STALE (none)';
  if (destination.trouble === 'corrupted') return 'NEWER CORRUPTED';
  if (destination.trouble) return destination.trouble === 'Error' ? 'SESSION FAILED' : 'SESSION WARNED';
  if (destination.troubledWorkloads > 0) return 'FAILING';
  return destination.staleAfterSeconds === null ? 'ok (no limit)' : 'ok';
}

/** "Error · Gold-VMs · 2026-11-26 02:00: the appliance's sentence". */
export function failureLine(failure: LastFailure, timeZone: string): string {
  const when = failure.startedAt ? ` · ${localTime(failure.startedAt, timeZone)}` : '';
  return `${[failure.status, failure.policy].filter(Boolean).join(' · ')}${when}: ${failure.message ?? '(the appliance logged no reason)'}`;
}

/** Why a workload is listed: its stale destinations, or its trouble, then its newest failure. */
export function workloadProblem(workload: WorkloadSummary, timeZone: string): string {
  const where = Object.entries(workload.destinations)
    .filter(([, state]) => state.stale)
    .map(([name, state]) => `${name} ${state.latest ? formatAge(state.latest.ageSeconds) : 'no usable point'}`);
  const what = where.length ? where.join(', ') : workload.trouble ? troubleWords(workload.trouble) : 'fresh';
  const why = workload.lastFailure ? ` — last failure: ${failureLine(workload.lastFailure, timeZone)}` : '';
  return `${workloadName(workload)} (${workload.kind}): ${what}${why}`;
}

export function renderApplianceTable(appliance: ApplianceSummary, timeZone: string): string {
  const lines: string[] = [];
  if (unread(appliance)) {
    // Nothing was read: no count, size or freshness is known, so none is stated.
    lines.push(`${appliance.name}  ${appliance.url}`, `  ${appliance.apiVersion ? `API ${appliance.apiVersion}` : 'API unknown'} · could not be read`);
    lines.push(`  ✗ ${appliance.error}`, '  Its restore points, sizes and freshness are unknown until it can be read.');
    return lines.join('\n');
  }
  const facts = [
    appliance.apiVersion ? `API ${appliance.apiVersion}` : 'API unknown',
    plural(appliance.restorePoints, 'restore point'),
    formatTotal(appliance.totalBytes, appliance.restorePoints, appliance.sizedPoints),
    ...(appliance.coverage ? [`${formatCount(appliance.coverage.protected)} of ${plural(appliance.coverage.workloads, 'VM')} protected`] : []),
    ...(appliance.corrupted ? [`${formatCount(appliance.corrupted)} corrupted`] : []),
    ...(appliance.skipped ? [`${formatCount(appliance.skipped)} unreadable records skipped`] : []),
  ];
  lines.push(`${appliance.name}  ${appliance.url}`, `  ${facts.join(' · ')}`);
  if (appliance.error) lines.push(`  ✗ ${appliance.error}`);
  if (appliance.destinations.length > 0) {
    const rows = [
      ['Destination', 'Status', 'Age', `Latest (${timeZone})`, 'Size', 'Points', 'Stale workloads', 'Workload'],
      ...appliance.destinations.map((d) => [
        d.destination,
        status(d),
        d.latest ? formatAge(d.latest.ageSeconds) : '—',
        d.latest ? localTime(d.latest.pointInTime, timeZone) : '—',
        d.latest ? `${formatBytes(d.latest.sizeBytes)}${archiveNote(d.latest) ? ' (archive tier)' : ''}` : '—',
        formatCount(d.restorePoints),
        formatCount(d.staleWorkloads),
        d.latest?.workload ?? '',
      ]),
    ];
    lines.push('', ...table(rows).map((line) => `  ${line}`));
    for (const d of appliance.destinations.filter((destination) => destination.trouble)) {
      lines.push(`  ⚠ ${d.destination}: ${destinationTroubleWords(d.trouble!)}`);
    }
  }
  const stale = appliance.workloads.filter((workload) => workload.stale);
  if (stale.length > 0) {
    lines.push('', `  Stale workloads (${stale.length}):`);
    for (const workload of stale) lines.push(`    ${workloadProblem(workload, timeZone)}`);
  }
  const failing = appliance.workloads.filter((workload) => !workload.stale && workload.trouble);
  if (failing.length > 0) {
    lines.push('', `  Failing workloads (${failing.length}):`);
    for (const workload of failing) lines.push(`    ${workloadProblem(workload, timeZone)}`);
  }
  const unprotected = appliance.coverage?.unprotected ?? [];
  if (unprotected.length > 0) {
    lines.push('', `  Not protected (${unprotected.length}): ${unprotected.map((vm) => (vm.label ? `${vm.name} (${vm.label})` : vm.name)).join(', ')}`);
  }
  if (appliance.warning !== null) lines.push(`  ! ${appliance.warning}`);
  if (!appliance.error) for (const note of appliance.notes) lines.push(`  ! ${note}`);
  return lines.join('\n');
}

export function renderSummaryTable(summary: Summary, timeZone: string): string {
  if (summary.appliances.length === 0) return 'No appliance is configured.';
  return summary.appliances.map((appliance) => renderApplianceTable(appliance, timeZone)).join('\n\n');
}
