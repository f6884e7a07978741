/**
 * The overview message: the answer to `/restorepoints`, `stale`, `before TIME`, and the daily
 * digest. Problems come first (appliances that could not be read, then what is stale), then the
 * healthy summary per appliance and destination, each latest point with its session button.
 */
import type { types } from '@slack/bolt';
import type { AnswerTimes } from '../../restore-points/answer.ts';
import { formatAge, formatAgo, formatBytes, formatCount, plural } from '../../restore-points/format.ts';
import type { ApplianceSummary, DestinationSummary, Summary } from '../../restore-points/summary.ts';
import { unread, verdictOf } from '../../restore-points/verdict.ts';
import { archiveNote, countsOf, countWords, destinationTroubleWords, formatTotal } from '../../restore-points/truth-words.ts';
import { formatDuration } from '../../lib/duration.ts';
import { BlockBudget, listWithin } from './budget.ts';
import { LIMITS } from './limits.ts';
import { actions, context, divider, fallback, header, section, type Block, type SlackMessage } from './message.ts';
import { code, escape, slackDate } from './mrkdwn.ts';
import { pointSessionButton } from './session-button.ts';
import { failingItems, failureButtons, failureText, notesOf, unprotectedText, workloadLabel } from './truth.ts';

export interface OverviewOptions {
  readonly title: string;
  readonly staleOnly: boolean;
  readonly times: AnswerTimes;
}

function destinationEmoji(destination: DestinationSummary): string {
  if (destination.latest === null) return destination.staleAfterSeconds === null ? '➖' : '❌';
  // Never the good mark beside a newer corrupted point or a point a failing session made.
  if (destination.stale || destination.trouble || destination.troubledWorkloads > 0) return '⚠️';
  return destination.staleAfterSeconds === null ? '➖' : '✅';
}

/** " · ⚠️ made by a session that warned · ⚠️ 2 failing workloads"; "" when nothing is wrong. */
function troubleNote(destination: DestinationSummary): string {
  return [
    ...(destination.trouble ? [` · ⚠️ ${destinationTroubleWords(destination.trouble)}`] : []),
    ...(destination.troubledWorkloads > 0 ? [` · ⚠️ ${plural(destination.troubledWorkloads, 'failing workload')}`] : []),
  ].join('');
}

/** "16h ago · <date>" — or, for `before`, "18m before the time asked · 1d 2h ago · <date>". */
export function pointAge(point: { pointInTime: string; ageSeconds: number }, times: AnswerTimes): string {
  const at = Date.parse(point.pointInTime);
  if (times.asOf === null) return `${formatAgo(point.ageSeconds)} · ${slackDate(at)}`;
  return `${slackDate(at)} · ${formatAgo(point.ageSeconds, 'before the time asked')} · ${formatAgo(Math.floor((times.now - at) / 1000))}`;
}

function destinationLine(destination: DestinationSummary, times: AnswerTimes, futureDated: boolean): string {
  const name = `${destinationEmoji(destination)} *${escape(destination.destination)}*`;
  const count = plural(destination.restorePoints, 'point');
  const staleNote = `${destination.staleWorkloads > 0 ? ` · ⚠️ ${plural(destination.staleWorkloads, 'stale workload')}` : ''}${troubleNote(destination)}`;
  if (!destination.latest) {
    const unusable = futureDated ? 'corrupted, or dated in the future' : 'all corrupted';
    const why = destination.restorePoints > 0 ? `no usable point (${unusable})` : times.asOf === null ? 'no restore point' : 'no restore point before that time';
    return `${name} · ${why} · ${count}${staleNote}`;
  }
  const latest = destination.latest;
  const workload = latest.workload ? ` · ${code(latest.workload)}` : '';
  return `${name} · ${pointAge(latest, times)} · ${formatBytes(latest.sizeBytes)}${workload}${archiveNote(latest)} · ${count}${staleNote}`;
}

/** One appliance's verdict in a few words: `🔴 could not be read`, `⚠️ 3 stale`, `✅ fresh`. */
function applianceState(appliance: ApplianceSummary): string {
  if (appliance.error) return appliance.restorePoints > 0 ? '🔴 could not be read fully' : '🔴 could not be read';
  // The same counts, in the same words, as the verdict.
  const problems = countWords(countsOf(appliance));
  return problems.length > 0 ? `⚠️ ${problems.join(' · ')}` : '✅ fresh';
}

function applianceLine(appliance: ApplianceSummary): string {
  const facts = [
    applianceState(appliance),
    appliance.apiVersion ? `API ${escape(appliance.apiVersion)}` : null,
    plural(appliance.restorePoints, 'restore point'),
    formatTotal(appliance.totalBytes, appliance.restorePoints, appliance.sizedPoints),
    appliance.corrupted ? `${formatCount(appliance.corrupted)} corrupted` : null,
    appliance.skipped ? `${formatCount(appliance.skipped)} unreadable records skipped` : null,
  ].filter(Boolean);
  return `*${escape(appliance.name)}* · ${facts.join(' · ')}`;
}

/** The stale items, each one line: destinations first, then workloads. */
export function staleItems(summary: Summary): string[] {
  const many = summary.appliances.length > 1;
  const on = (appliance: ApplianceSummary) => (many ? ` on *${escape(appliance.name)}*` : '');
  const items: string[] = [];
  for (const appliance of summary.appliances.filter((a) => !unread(a))) {
    for (const d of appliance.destinations.filter((destination) => destination.stale)) {
      const latest = d.latest ? `latest ${formatAge(d.latest.ageSeconds)} old (limit ${d.staleAfter ?? formatDuration((d.staleAfterSeconds ?? 0) * 1000)})` : 'no usable restore point';
      items.push(`⚠️ *${escape(d.destination)}*${on(appliance)}: ${latest}`);
    }
  }
  for (const appliance of summary.appliances) {
    for (const w of appliance.workloads.filter((workload) => workload.stale)) {
      const where = Object.entries(w.destinations)
        .filter(([, state]) => state.stale)
        .map(([name, state]) => `${escape(name)} ${state.latest ? formatAge(state.latest.ageSeconds) : 'none usable'}`);
      const why = w.lastFailure ? ` — ${failureText(w.lastFailure)}` : '';
      items.push(`⚠️ ${workloadLabel(w)}${on(appliance)}: ${where.join(', ')}${why}`);
    }
  }
  return items;
}

/** Plain text of the stale items for the notification: names only, cut to fit. */
function staleNames(summary: Summary): string[] {
  return summary.appliances.filter((a) => !unread(a)).flatMap((appliance) => [
    ...appliance.destinations.filter((d) => d.stale).map((d) => escape(d.destination)),
    ...appliance.workloads.filter((w) => w.stale).map((w) => escape(w.name)),
  ]);
}

function failingNames(summary: Summary): string[] {
  return summary.appliances.flatMap((a) => a.workloads.filter((w) => !w.stale && w.trouble !== null).map((w) => escape(w.name)));
}

function problemBlocks(summary: Summary): Block[] {
  return summary.appliances
    .filter((appliance) => appliance.error)
    .map((appliance) => {
      const partial = appliance.restorePoints > 0 ? `\nWhat was read before the failure (${plural(appliance.restorePoints, 'restore point')}) is shown below.` : '';
      return section(`🔴 *${escape(appliance.name)}* could not be read: ${escape(appliance.error ?? '')}${partial}`);
    });
}

/** One appliance: its line and destinations in one section, and the session buttons below. */
function applianceBlocks(appliance: ApplianceSummary, times: AnswerTimes, buttonIndex: { next: number }): Block[] {
  const lines = [applianceLine(appliance), ...appliance.destinations.map((d) => destinationLine(d, times, appliance.warning !== null))];
  const buttons = appliance.destinations.flatMap((d) => {
    const session = d.latest?.jobSessionId;
    const made = session && d.latest ? pointSessionButton({ appliance: appliance.name, session }, d.destination, d.latest, times.now, buttonIndex.next++) : null;
    return made ? [made] : [];
  });
  return [section(lines.join('\n')), ...(buttons.length ? [actions(buttons as types.Button[])] : [])];
}

export function renderOverview(summary: Summary, options: OverviewOptions): SlackMessage {
  const { times } = options;
  const verdict = verdictOf(summary);
  const items = staleItems(summary);
  const budget = new BlockBudget({ blocks: 2, chars: 600 });
  budget.add(header(options.title));
  const asOf = times.asOf === null ? '' : `\nThe latest usable points at or before ${slackDate(times.asOf)}.`;
  const failing = failingItems(summary);
  const nothingStale = options.staleOnly && items.length === 0 && failing.length === 0 && verdict.unreadable === 0;
  budget.add(section(`*${nothingStale ? '✅ Nothing is stale' : verdict.line}*${asOf}`));
  if (summary.appliances.length > 1) {
    // Several appliances: each one's verdict on top, problems first, before any detail.
    const rank = (a: ApplianceSummary) => (a.error ? 0 : applianceState(a).startsWith('⚠️') ? 1 : 2);
    const glance = [...summary.appliances].sort((a, b) => rank(a) - rank(b)).map((a) => `*${escape(a.name)}* ${applianceState(a)}`);
    budget.add(section(listWithin(glance, 1500, ' · ', 'narrow it with `/restorepoints on APPLIANCE`').text));
  }
  for (const block of problemBlocks(summary)) budget.add(block);
  if (items.length > 0) {
    const list = listWithin(items, Math.min(LIMITS.text - 40, budget.room - 200));
    budget.add(section(`*Stale*\n${list.text}`));
  }
  if (failing.length > 0) {
    const list = listWithin(failing, Math.min(LIMITS.text - 40, budget.room - 200), '\n', 'ask `/restorepoints failed`');
    budget.add(section(`*Failing*\n${list.text}`));
  }
  const buttonIndex = { next: 0 };
  const toFailures = failureButtons(summary, times.now, buttonIndex);
  if (toFailures.length > 0) budget.add(actions(toFailures));
  const unprotected = options.staleOnly || times.asOf !== null ? null : unprotectedText(summary, Math.min(LIMITS.text - 40, budget.room - 200));
  if (unprotected) budget.add(section(unprotected));
  let appliancesLeftOut = 0;
  if (!options.staleOnly) {
    budget.add(divider());
    for (const appliance of summary.appliances) {
      if (unread(appliance)) continue; // said above, nothing to show
      if (!budget.add(...applianceBlocks(appliance, times, buttonIndex))) appliancesLeftOut++;
    }
  }
  const closing = [
    ...(summary.appliances.length ? [`Stale after: ${thresholdsOf(summary)}`] : []),
    ...notesOf(summary),
    ...(appliancesLeftOut ? [`…and ${appliancesLeftOut} more ${appliancesLeftOut === 1 ? 'appliance' : 'appliances'} — narrow it with \`/restorepoints on NAME\``] : []),
  ];
  const stale = staleNames(summary);
  const text = [
    verdict.line,
    ...summary.appliances.filter((a) => a.error).map((a) => `${escape(a.name)}: ${escape(errorFact(a.error ?? ''))}`),
    ...(stale.length ? [`Stale: ${listWithin(stale, 1500, ', ').text}`] : []),
    ...(failing.length ? [`Failing: ${listWithin(failingNames(summary), 1000, ', ').text}`] : []),
  ].join('\n');
  return { text: fallback(text), blocks: budget.finish(...(closing.length ? [context(...closing)] : [])) };
}

/**
 * What happened, without the fix: the notification text reaches a whole channel (and phones), while
 * "set VEEAM_CA_FILE…" is for the admin, who finds it in the message's own section, the log and
 * `restorepoints check`. The first sentence, cut where it turns from the fact to the fix
 * (`…not trusted (CODE): trust…`, `…denied access: …; give…`).
 */
export function errorFact(error: string): string {
  const sentence = /^.*?[.!?](?=\s+[A-Z]|$)/s.exec(error)?.[0] ?? error;
  const turn = /\): |; /.exec(sentence);
  if (turn === null) return sentence;
  return `${sentence.slice(0, turn.index + (turn[0] === '): ' ? 1 : 0))}.`;
}

/** `Snapshot 26h · AzureBlob 26h · ManualSnapshot off`, per appliance when they differ. */
export function thresholdsOf(summary: Summary): string {
  const describe = (appliance: ApplianceSummary) =>
    appliance.destinations
      .map((d) => `${escape(d.destination)} ${d.staleAfterSeconds === null ? 'off' : (d.staleAfter ?? formatDuration(d.staleAfterSeconds * 1000))}`)
      .join(' · ');
  const distinct = new Map<string, string[]>();
  for (const appliance of summary.appliances) {
    const line = describe(appliance);
    if (line) distinct.set(line, [...(distinct.get(line) ?? []), appliance.name]);
  }
  if (distinct.size <= 1) return [...distinct.keys()][0] ?? '';
  return [...distinct].map(([line, names]) => `${names.map(escape).join(', ')}: ${line}`).join(' | ');
}
