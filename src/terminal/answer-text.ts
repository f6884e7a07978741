/** An answer as terminal text: what `restorepoints query WORDS` prints. */
import type { Answer } from '../restore-points/answer.ts';
import { formatAge, formatAgo, formatBytes, plural } from '../restore-points/format.ts';
import type { Summary } from '../restore-points/summary.ts';
import { failuresMatching } from '../restore-points/failures.ts';
import { archiveNote, troubleWords, unread, workloadName } from '../restore-points/truth-words.ts';
import { localInstant, localTime } from './local-time.ts';
import { failureLine, renderApplianceTable, workloadProblem } from './summary-table.ts';

const HELP = [
  'restorepoints query                       the latest usable restore point per destination',
  'restorepoints query stale                 only what is stale',
  'restorepoints query unprotected           VMs the appliance knows that have no restore point',
  'restorepoints query failed [NAME]         sessions that failed or warned within FAILURE_WINDOW, with their reasons',
  'restorepoints query NAME                  workloads whose name contains NAME',
  'restorepoints query NAME before 09:30     the newest usable point at or before a time (TZ; ISO; 90m, 3h, 2d ago)',
  'restorepoints query in AzureBlob          one destination',
  'restorepoints query on APPLIANCE          one appliance',
];

function staleOnly(summary: Summary, timeZone: string): string {
  const lines: string[] = [];
  for (const appliance of summary.appliances) {
    if (appliance.error) lines.push(`✗ ${appliance.name}: ${appliance.error}`);
    if (unread(appliance)) continue; // nothing read: nothing to call stale
    for (const d of appliance.destinations.filter((destination) => destination.stale)) {
      lines.push(`STALE ${appliance.name} · ${d.destination}: ${d.latest ? `latest ${formatAge(d.latest.ageSeconds)} old` : 'no usable restore point'}`);
    }
    for (const w of appliance.workloads.filter((workload) => workload.stale)) lines.push(`STALE ${appliance.name} · ${workloadProblem(w, timeZone)}`);
    for (const w of appliance.workloads.filter((workload) => !workload.stale && workload.trouble)) lines.push(`FAILING ${appliance.name} · ${workloadProblem(w, timeZone)}`);
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
      if (answer.staleOnly) return asOf + staleOnly(answer.summary, timeZone);
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
        const head = workload.stale ? 'STALE' : workload.trouble ? 'FAILING' : 'ok';
        lines.push('', `${head}  ${workloadName(workload)} (${workload.kind}) on ${appliance}${workload.trouble && !workload.stale ? `: ${troubleWords(workload.trouble)}` : ''}`);
        if (workload.lastFailure && (workload.stale || workload.trouble)) lines.push(`  last failure: ${failureLine(workload.lastFailure, timeZone)}`);
        for (const [destination, state] of Object.entries(workload.destinations)) {
          const latest = state.latest
            ? `${formatAgo(state.latest.ageSeconds, answer.times.asOf === null ? 'ago' : 'before the time asked')} · ${localTime(state.latest.pointInTime, timeZone)} · ${formatBytes(state.latest.sizeBytes)}${archiveNote(state.latest)} · session ${state.latest.jobSessionId ?? 'unknown'}`
            : 'no usable point';
          const newer = state.newest?.corrupted && state.newest.id !== state.latest?.id ? ` · newer point ${state.newest.pointInTime} is CORRUPTED` : '';
          lines.push(`  ${state.stale ? 'STALE' : state.trouble ? 'WARN ' : 'ok   '} ${destination}: ${latest} (${plural(state.restorePoints, 'point')})${newer}`);
        }
      }
      for (const name of answer.unnamed) lines.push('', `${name}: this API version does not name workloads.`);
      return lines.join('\n');
    }
    case 'unprotected':
      return unprotectedText(answer.summary);
    case 'failed':
      return failedText(answer.summary, answer.names, timeZone);
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

function unprotectedText(summary: Summary): string {
  if (summary.appliances.length === 0) return 'No appliance is configured.';
  return summary.appliances
    .map((appliance) => {
      if (unread(appliance)) return `✗ ${appliance.name}: ${appliance.error}`;
      const coverage = appliance.coverage;
      if (!coverage) return `${appliance.name}: no VM inventory (its API version has none, or it could not be read), so unprotected VMs cannot be listed.`;
      const head = `${appliance.name}: ${coverage.protected} of ${plural(coverage.workloads, 'VM')} protected`;
      return [head, ...coverage.unprotected.map((vm) => `  UNPROTECTED ${vm.name}${vm.label ? ` (${vm.label})` : ''}`)].join('\n');
    })
    .join('\n\n');
}

function failedText(summary: Summary, names: readonly string[], timeZone: string): string {
  if (summary.appliances.length === 0) return 'No appliance is configured.';
  return summary.appliances
    .map((appliance) => {
      if (unread(appliance)) return `✗ ${appliance.name}: ${appliance.error}`;
      const failures = failuresMatching(appliance.failures, names);
      const note = appliance.notes.find((n) => /session/i.test(n));
      if (failures.length === 0) return `${appliance.name}: ${note ?? 'no session failed or warned in the failure window.'}`;
      return [
        `${appliance.name}: ${plural(failures.length, 'session')} failed or warned`,
        ...failures.map((f) => `  ${failureLine(f, timeZone)}${f.workloads.length ? ` [${f.workloads.join(', ')}]` : ''} (session ${f.sessionId})`),
      ].join('\n');
    })
    .join('\n\n');
}
