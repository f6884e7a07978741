/** The digest as terminal text: the verdict, what is stale, then each appliance's table. */
import { formatAge } from '../restore-points/format.ts';
import type { SnoozeMark } from '../restore-points/snooze-mark.ts';
import type { Summary } from '../restore-points/summary.ts';
import { verdictOf } from '../restore-points/verdict.ts';
import { renderSummaryTable } from './summary-table.ts';

export function renderDigestText(summary: Summary, timeZone: string, snoozed: readonly SnoozeMark[] = []): string {
  const lines = [verdictOf(summary).line];
  for (const appliance of summary.appliances.filter((a) => a.error)) lines.push(`  ✗ ${appliance.name} could not be read: ${appliance.error}`);
  const stale = summary.appliances.flatMap((appliance) => [
    ...appliance.destinations
      .filter((d) => d.stale)
      .map((d) => `  ⚠ ${d.destination} on ${appliance.name}: ${d.latest ? `latest ${formatAge(d.latest.ageSeconds)} old` : 'no usable restore point'}`),
    ...appliance.workloads
      .filter((w) => w.stale)
      .map((w) => {
        const where = Object.entries(w.destinations).filter(([, s]) => s.stale).map(([name, s]) => `${name} ${s.latest ? formatAge(s.latest.ageSeconds) : 'none usable'}`);
        return `  ⚠ ${w.name} on ${appliance.name}: ${where.join(', ')}`;
      }),
  ]);
  if (stale.length) lines.push('', 'Stale:', ...stale);
  if (snoozed.length) lines.push('', 'Snoozed:', ...snoozed.map((mark) => `  z ${mark.what}: by ${mark.by} until ${new Date(mark.until).toISOString().slice(0, 16).replace('T', ' ')} UTC`));
  if (summary.appliances.length) lines.push('', renderSummaryTable(summary, timeZone));
  return lines.join('\n');
}
