/**
 * The answer about named workloads (`/restorepoints vm-sql`): per workload, the latest usable
 * point in each destination with its session button, and its most recent points.
 */
import type { types } from '@slack/bolt';
import type { Answer } from '../../restore-points/answer.ts';
import { formatBytes, plural } from '../../restore-points/format.ts';
import type { WorkloadSummary } from '../../restore-points/summary.ts';
import { BlockBudget, listWithin, NARROW_HINT } from './budget.ts';
import { actions, context, fallback, header, section, type Block, type SlackMessage } from './message.ts';
import { code, escape, slackDate } from './mrkdwn.ts';
import { pointAge, thresholdsOf } from './overview.ts';
import { pointSessionButton } from './session-button.ts';
import { archiveNote, troubleWords } from '../../restore-points/truth-words.ts';
import { failureButton, failureText } from './truth.ts';

type WorkloadsAnswer = Extract<Answer, { kind: 'workloads' }>;

const KIND_LABEL: Record<WorkloadSummary['kind'], string> = { vm: 'VM', sql: 'SQL database', fileShare: 'file share', cosmosDb: 'Cosmos DB account' };

function workloadBlocks(answer: WorkloadsAnswer, appliance: string, workload: WorkloadSummary, buttonIndex: { next: number }): Block[] {
  const many = answer.summary.appliances.length > 1;
  const where = many ? ` on *${escape(appliance)}*` : '';
  // Never the good mark beside a corrupted newest point or a failed or warning newest session.
  const mark = workload.stale ? '⚠️' : workload.trouble === 'Warning' ? '⚠️' : workload.trouble ? '❌' : '✅';
  const label = workload.label ? ` (${escape(workload.label)})` : '';
  const trouble = workload.trouble && !workload.stale ? ` · ${troubleWords(workload.trouble)}` : '';
  const lines = [`${mark} *${escape(workload.name)}*${label} · ${KIND_LABEL[workload.kind]}${where}${trouble}`];
  const buttons: types.Button[] = [];
  if (workload.lastFailure && (workload.stale || workload.trouble)) {
    lines.push(`Last failure: ${failureText(workload.lastFailure)}`);
    const made = failureButton(appliance, workload.lastFailure, answer.times.now, buttonIndex.next++);
    if (made) buttons.push(made);
  }
  for (const [destination, state] of Object.entries(workload.destinations)) {
    const emoji = state.stale || state.trouble ? '⚠️' : '✅';
    const count = plural(state.restorePoints, 'point');
    const newer =
      state.newest?.corrupted && state.newest.id !== state.latest?.id
        ? ` · ❌ a newer point is corrupted (${slackDate(Date.parse(state.newest.pointInTime))})`
        : state.trouble && state.trouble !== 'corrupted'
          ? ` · ${troubleWords(state.trouble)}`
          : '';
    if (!state.latest) {
      // No newest at all: every point here is dated in the future (never shown as newest or latest).
      lines.push(`${emoji} ${escape(destination)} · no usable point (${count}, ${state.newest === null ? 'dated in the future' : 'all corrupted'})`);
      continue;
    }
    lines.push(`${emoji} ${escape(destination)} · ${pointAge(state.latest, answer.times)} · ${formatBytes(state.latest.sizeBytes)}${archiveNote(state.latest)} · ${count}${newer}`);
    const session = state.latest.jobSessionId;
    const made = session ? pointSessionButton({ appliance, session }, destination, state.latest, answer.times.now, buttonIndex.next++) : null;
    if (made) buttons.push(made);
  }
  const recent = workload.recent.map(
    (point) =>
      `${slackDate(Date.parse(point.pointInTime))} ${escape(point.destination)}${point.type ? ` ${escape(point.type)}` : ''} ${formatBytes(point.sizeBytes)}${point.corrupted ? ' ❌ corrupted' : ''}`,
  );
  return [
    section(lines.join('\n')),
    ...(recent.length ? [context(`Recent: ${recent.join(' · ')}`)] : []),
    ...(buttons.length ? [actions(buttons)] : []),
  ];
}

/** How the words were read, when that was not plain: ignored words, keywords read as names too. */
export function readingNotes(answer: WorkloadsAnswer): string[] {
  const notes: string[] = [];
  if (answer.ignored?.length) {
    const words = listWithin(answer.ignored.map(code), 400, ' ').text;
    notes.push(`Ignored ${words}: no workload name contains ${answer.ignored.length === 1 ? 'it' : 'them'}. The words I know: ${KNOWN_WORDS}.`);
  }
  for (const keyword of answer.keywordsAsNames ?? []) {
    notes.push(`${code(keyword)} was read two ways: as the keyword (${KEYWORD_MEANING[keyword] ?? 'see help'}) and as part of a workload name.`);
  }
  return notes;
}

const KNOWN_WORDS = '`help`, `stale`, `share`, `before TIME`, `in DESTINATION`, `on APPLIANCE`, or part of a workload name';
const KEYWORD_MEANING: Record<string, string> = { share: 'the answer is posted in the channel' };

export function renderWorkloads(answer: WorkloadsAnswer): SlackMessage {
  const asked = answer.names.map(code).join(' ');
  const count = answer.matches.length;
  const staleCount = answer.matches.filter((match) => match.workload.stale).length;
  const failingCount = answer.matches.filter((match) => !match.workload.stale && match.workload.trouble).length;
  const problems = [...(staleCount ? [`${staleCount} stale`] : []), ...(failingCount ? [`${failingCount} failing`] : [])];
  const headline =
    count === 0
      ? answer.staleOnly
        ? `✅ Nothing stale matches ${asked}`
        : `No workload matches ${asked}`
      : `${plural(count, 'workload')} ${count === 1 ? 'matches' : 'match'} ${asked}${problems.length ? ` · ⚠️ ${problems.join(' · ')}` : ' · ✅ all fresh'}`;
  const asOf = answer.times.asOf === null ? '' : `\nThe latest usable points at or before ${slackDate(answer.times.asOf)}.`;
  const budget = new BlockBudget({ blocks: 2, chars: 600 });
  budget.add(header(`Restore points · ${escape(answer.names.join(' '))}`));
  budget.add(section(`*${headline}*${asOf}`));
  for (const appliance of answer.summary.appliances.filter((a) => a.error)) {
    budget.add(section(`🔴 *${escape(appliance.name)}* could not be read, so its workloads may be missing: ${escape(appliance.error ?? '')}`));
  }
  let left = 0;
  const buttonIndex = { next: 0 };
  for (const match of answer.matches) {
    if (!budget.add(...workloadBlocks(answer, match.appliance, match.workload, buttonIndex))) left++;
  }
  const notes = [
    ...readingNotes(answer),
    ...(left ? [`…and ${left} more — ${NARROW_HINT}`] : []),
    ...(answer.unnamed.length
      ? [`${answer.unnamed.map(escape).join(', ')}: this API version does not name workloads, so nothing there can match a name; \`/restorepoints\` shows its destinations.`]
      : []),
    ...(answer.summary.appliances.length ? [`Stale after: ${thresholdsOf(answer.summary)}`] : []),
  ];
  const staleNames = answer.matches.filter((m) => m.workload.stale).map((m) => escape(m.workload.name));
  const ignored = answer.ignored?.length ? [`Ignored: ${answer.ignored.map(escape).join(' ')}`] : [];
  const text = [headline, ...ignored, ...(staleNames.length ? [`Stale: ${listWithin(staleNames, 1500, ', ').text}`] : [])].join('\n');
  return { text: fallback(text.replace(/\*/g, '')), blocks: budget.finish(...(notes.length ? [context(...notes)] : [])) };
}
