/** The digest as terminal text: the verdict, what is stale, then each appliance's table. */
import { formatAge } from '../restore-points/format.ts';
import type { SnoozeMark } from '../restore-points/snooze-mark.ts';
import type { Summary } from '../restore-points/summary.ts';
import { unread } from '../restore-points/truth-words.ts';
import { verdictOf } from '../restore-points/verdict.ts';
import { renderSummaryTable, workloadProblem } from './summary-table.ts';

export function renderDigestText(summary: Summary, timeZone: string, snoozed: readonly SnoozeMark[] = []): string {
  const lines = [verdictOf(summary).line];
  for (const appliance of summary.appliances.filter((a) => a.error)) lines.push(`  ✗ ${appliance.name} could not be read: ${appliance.error}`);
  // An appliance that could not be read has nothing stale: its state is unknown, said above.
  const stale = summary.appliances.filter((appliance) => !unread(appliance)).flatMap((appliance) => [
    ...appliance.destinations
      .filter((d) => d.stale)
      .map((d) => `  ⚠ ${d.destination} on ${appliance.name}: ${d.latest ? `latest ${formatAge(d.latest.ageSeconds)} old` : 'no usable restore point'}`),
    ...appliance.workloads
      .filter((w) => w.stale)
      .map((w) => `  ⚠ ${appliance.name} · ${workloadProblem(w, timeZone)}`),
  ]);
  if (stale.length) lines.push('', 'Stale:', ...stale);
  const failing = summary.appliances.flatMap((appliance) =>
    appliance.workloads.filter((w) => !w.stale && w.trouble).map((w) => `  ✗ ${appliance.name} · ${workloadProblem(w, timeZone)}`),
  );
  if (failing.length) lines.push('', 'Failing:', ...failing);
  if (snoozed.length) lines.push('', 'Snoozed:', ...snoozed.map((mark) => `  z ${mark.what}: by ${mark.by} until ${new Date(mark.until).toISOString().slice(0, 16).replace('T', ' ')} UTC`));
  if (summary.appliances.length) lines.push('', renderSummaryTable(summary, timeZone));
  return lines.join('\n');
}
