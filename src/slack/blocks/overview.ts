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
import { formatDuration } from '../../lib/duration.ts';
import { BlockBudget, listWithin } from './budget.ts';
import { LIMITS } from './limits.ts';
import { actions, context, divider, fallback, header, section, type Block, type SlackMessage } from './message.ts';
import { code, escape, slackDate } from './mrkdwn.ts';
import { sessionButton } from './session-button.ts';

export interface OverviewOptions {
  readonly title: string;
  readonly staleOnly: boolean;
  readonly times: AnswerTimes;
}

function destinationEmoji(destination: DestinationSummary): string {
  if (destination.latest === null) return destination.staleAfterSeconds === null ? '➖' : '❌';
  if (destination.stale) return '⚠️';
  return destination.staleAfterSeconds === null ? '➖' : '✅';
}

/** "16h ago · <date>" — or, for `before`, "18m before the time asked · 1d 2h ago · <date>". */
export function pointAge(point: { pointInTime: string; ageSeconds: number }, times: AnswerTimes): string {
  const at = Date.parse(point.pointInTime);
  if (times.asOf === null) return `${formatAgo(point.ageSeconds)} · ${slackDate(at)}`;
  return `${slackDate(at)} · ${formatAgo(point.ageSeconds, 'before the time asked')} · ${formatAgo(Math.floor((times.now - at) / 1000))}`;
}

function destinationLine(destination: DestinationSummary, times: AnswerTimes): string {
  const name = `${destinationEmoji(destination)} *${escape(destination.destination)}*`;
  const count = plural(destination.restorePoints, 'point');
  const staleNote = destination.staleWorkloads > 0 ? ` · ⚠️ ${plural(destination.staleWorkloads, 'stale workload')}` : '';
  if (!destination.latest) {
    const why = destination.restorePoints > 0 ? 'no usable point (all corrupted)' : times.asOf === null ? 'no restore point' : 'no restore point before that time';
    return `${name} · ${why} · ${count}${staleNote}`;
  }
  const latest = destination.latest;
  const workload = latest.workload ? ` · ${code(latest.workload)}` : '';
  return `${name} · ${pointAge(latest, times)} · ${formatBytes(latest.sizeBytes)}${workload} · ${count}${staleNote}`;
}

/** One appliance's verdict in a few words: `🔴 could not be read`, `⚠️ 3 stale`, `✅ fresh`. */
function applianceState(appliance: ApplianceSummary): string {
  const stale = appliance.destinations.filter((d) => d.stale).length + appliance.workloads.filter((w) => w.stale).length;
  if (appliance.error) return appliance.restorePoints > 0 ? '🔴 could not be read fully' : '🔴 could not be read';
  return stale > 0 ? `⚠️ ${formatCount(stale)} stale` : '✅ fresh';
}

function applianceLine(appliance: ApplianceSummary): string {
  const facts = [
    applianceState(appliance),
    appliance.apiVersion ? `API ${escape(appliance.apiVersion)}` : null,
    plural(appliance.restorePoints, 'restore point'),
    formatBytes(appliance.totalBytes),
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
      items.push(`⚠️ ${code(w.name)}${on(appliance)}: ${where.join(', ')}`);
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
  const lines = [applianceLine(appliance), ...appliance.destinations.map((d) => destinationLine(d, times))];
  const buttons = appliance.destinations.flatMap((d) => {
    const session = d.latest?.jobSessionId;
    const made = session ? sessionButton({ appliance: appliance.name, session }, d.destination, buttonIndex.next++) : null;
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
  const nothingStale = options.staleOnly && items.length === 0 && verdict.unreadable === 0;
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
  let appliancesLeftOut = 0;
  if (!options.staleOnly) {
    budget.add(divider());
    const buttonIndex = { next: 0 };
    for (const appliance of summary.appliances) {
      if (unread(appliance)) continue; // said above, nothing to show
      if (!budget.add(...applianceBlocks(appliance, times, buttonIndex))) appliancesLeftOut++;
    }
  }
  const closing = [
    ...(summary.appliances.length ? [`Stale after: ${thresholdsOf(summary)}`] : []),
    ...(appliancesLeftOut ? [`…and ${appliancesLeftOut} more ${appliancesLeftOut === 1 ? 'appliance' : 'appliances'} — narrow it with \`/restorepoints on NAME\``] : []),
  ];
  const stale = staleNames(summary);
  const text = [
    verdict.line,
    ...summary.appliances.filter((a) => a.error).map((a) => `${escape(a.name)}: ${escape(errorFact(a.error ?? ''))}`),
    ...(stale.length ? [`Stale: ${listWithin(stale, 1500, ', ').text}`] : []),
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
