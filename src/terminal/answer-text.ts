/** An answer as terminal text: what `restorepoints query WORDS` prints. */
import type { Answer } from '../restore-points/answer.ts';
import { formatAge, formatAgo, formatBytes, plural } from '../restore-points/format.ts';
import type { Summary } from '../restore-points/summary.ts';
import { localInstant, localTime } from './local-time.ts';
import { renderApplianceTable } from './summary-table.ts';

const HELP = [
  'restorepoints query                       the latest usable restore point per destination',
  'restorepoints query stale                 only what is stale',
  'restorepoints query NAME                  workloads whose name contains NAME',
  'restorepoints query NAME before 09:30     the newest usable point at or before a time (TZ; ISO; 90m, 3h, 2d ago)',
  'restorepoints query in AzureBlob          one destination',
  'restorepoints query on APPLIANCE          one appliance',
];

function staleOnly(summary: Summary): string {
  const lines: string[] = [];
  for (const appliance of summary.appliances) {
    if (appliance.error) lines.push(`✗ ${appliance.name}: ${appliance.error}`);
    for (const d of appliance.destinations.filter((destination) => destination.stale)) {
      lines.push(`STALE ${appliance.name} · ${d.destination}: ${d.latest ? `latest ${formatAge(d.latest.ageSeconds)} old` : 'no usable restore point'}`);
    }
    for (const w of appliance.workloads.filter((workload) => workload.stale)) {
      const where = Object.entries(w.destinations).filter(([, s]) => s.stale).map(([name, s]) => `${name} ${s.latest ? formatAge(s.latest.ageSeconds) : 'none usable'}`);
      lines.push(`STALE ${appliance.name} · ${w.name}: ${where.join(', ')}`);
    }
  }
  return lines.length ? lines.join('\n') : 'Nothing is stale.';
}

export function renderAnswerText(answer: Answer, timeZone: string): string {
  switch (answer.kind) {
    case 'help':
      return [...answer.problems.map((p) => `Not understood: "${p.word}": ${p.reason}`), ...(answer.problems.length ? [''] : []), ...HELP].join('\n');
    case 'not-found':
      return `No ${answer.what} called "${answer.asked}".${answer.known.length ? ` Known: ${answer.known.slice(0, 30).join(', ')}${answer.known.length > 30 ? ', …' : ''}` : ''}`;
    case 'overview': {
      const asOf = answer.times.asOf === null ? '' : `${asOfLine(answer.times.asOf, timeZone)}\n\n`;
      if (answer.staleOnly) return asOf + staleOnly(answer.summary);
      if (answer.summary.appliances.length === 0) return 'No appliance is configured.';
      return asOf + answer.summary.appliances.map((appliance) => renderApplianceTable(appliance, timeZone)).join('\n\n');
    }
    case 'workloads': {
      const count = answer.matches.length;
      const asked = answer.names.join(' ');
      const lines = [
        count === 0 && answer.staleOnly ? `Nothing stale matches ${asked}` : `${plural(count, 'workload')} ${count === 1 ? 'matches' : 'match'} ${asked}`,
        ...(answer.times.asOf === null ? [] : [asOfLine(answer.times.asOf, timeZone)]),
        ...readingLines(answer),
        `Times in ${timeZone}.`,
      ];
      for (const appliance of answer.summary.appliances.filter((a) => a.error)) lines.push(`✗ ${appliance.name}: ${appliance.error}`);
      for (const { appliance, workload } of answer.matches) {
        lines.push('', `${workload.stale ? 'STALE' : 'ok'}  ${workload.name} (${workload.kind}) on ${appliance}`);
        for (const [destination, state] of Object.entries(workload.destinations)) {
          const latest = state.latest
            ? `${formatAgo(state.latest.ageSeconds, answer.times.asOf === null ? 'ago' : 'before the time asked')} · ${localTime(state.latest.pointInTime, timeZone)} · ${formatBytes(state.latest.sizeBytes)} · session ${state.latest.jobSessionId ?? 'unknown'}`
            : 'no usable point';
          lines.push(`  ${state.stale ? 'STALE' : 'ok   '} ${destination}: ${latest} (${plural(state.restorePoints, 'point')})`);
        }
      }
      for (const name of answer.unnamed) lines.push('', `${name}: this API version does not name workloads.`);
      return lines.join('\n');
    }
  }
}

/** Which instant `before` was read as, in the zone it was read in: `before 09:30` is ambiguous until said. */
function asOfLine(asOf: number, timeZone: string): string {
  return `Before ${localInstant(asOf, timeZone)}: the newest usable points at or before that time; ages count from it.`;
}

/** Words that were not used, and keywords also read as names. */
function readingLines(answer: Extract<Answer, { kind: 'workloads' }>): string[] {
  const lines: string[] = [];
  if (answer.ignored?.length) {
    lines.push(`Ignored: ${answer.ignored.map((word) => `"${word}"`).join(', ')}: no workload name contains ${answer.ignored.length === 1 ? 'it' : 'them'}. Known words: ${KNOWN_WORDS}.`);
  }
  for (const keyword of answer.keywordsAsNames ?? []) lines.push(`"${keyword}" was read two ways: as the keyword and as part of a workload name.`);
  return lines;
}

const KNOWN_WORDS = 'help, stale, share, before TIME, in DESTINATION, on APPLIANCE, or part of a workload name';
