/**
 * Alert messages: the root message of a problem (edited in place as it changes), the replies in
 * its thread, and the one baseline message of the first watch. Pure: records in, Block Kit out.
 * Everything from outside (names, reasons, user names) is escaped.
 */
import type { types } from '@slack/bolt';
import { problemTitle } from '../../alerts/problems.ts';
import type { AlertRecord, Note } from '../../alerts/transitions.ts';
import { formatAge } from '../../restore-points/format.ts';
import { BlockBudget, listWithin } from './budget.ts';
import { LIMITS } from './limits.ts';
import { actions, button, context, fallback, section, type SlackMessage } from './message.ts';
import { escape, slackDate } from './mrkdwn.ts';
import { sessionButton } from './session-button.ts';

export const ALERT_ACKNOWLEDGE = 'alert_acknowledge';
export const ALERT_SNOOZE_PREFIX = 'alert_snooze:';
export const ALERT_ACTION_PATTERN = /^alert_(?:acknowledge|snooze:\w+)$/;

/** The snoozes a button offers: label and length. */
export const SNOOZES: Readonly<Record<string, { readonly label: string; readonly ms: number }>> = {
  '4h': { label: 'Snooze 4 h', ms: 4 * 3_600_000 },
  '1d': { label: 'Snooze 1 day', ms: 24 * 3_600_000 },
};

export type AlertChoice = { readonly action: 'acknowledge' } | { readonly action: 'snooze'; readonly ms: number };

export function parseAlertAction(actionId: string): AlertChoice | null {
  if (actionId === ALERT_ACKNOWLEDGE) return { action: 'acknowledge' };
  const snooze = actionId.startsWith(ALERT_SNOOZE_PREFIX) ? SNOOZES[actionId.slice(ALERT_SNOOZE_PREFIX.length)] : undefined;
  return snooze ? { action: 'snooze', ms: snooze.ms } : null;
}

const EMOJI = { open: ':red_circle:', acknowledged: ':large_orange_circle:', snoozed: ':zzz:', resolved: ':white_check_mark:' } as const;

const lasted = (from: number, to: number) => formatAge(Math.max(0, Math.round((to - from) / 1000)));
const startOf = (record: AlertRecord) => record.problem.since ?? record.openedAt;

function buttonsOf(record: AlertRecord): types.Button[] {
  const buttons: types.Button[] = [];
  // The key is the button's value: an absurdly long one gets no buttons rather than a refused message.
  if (record.problem.key.length <= LIMITS.buttonValue) {
    if (!record.acknowledged) buttons.push(button('Acknowledge', { actionId: ALERT_ACKNOWLEDGE, value: record.problem.key, style: 'primary' }));
    for (const [id, snooze] of Object.entries(SNOOZES)) buttons.push(button(snooze.label, { actionId: `${ALERT_SNOOZE_PREFIX}${id}`, value: record.problem.key }));
  }
  const session = record.problem.session;
  const open = session ? sessionButton({ appliance: record.problem.appliance, session: session.id }, 'Open session', 0) : null;
  if (open) buttons.push(open);
  return buttons;
}

/** The root message: what, since when, why; who acknowledged or snoozed it; resolved and for how long. */
export function renderAlertRoot(record: AlertRecord, now: number): SlackMessage {
  const title = problemTitle(record.problem);
  const resolved = record.resolvedAt !== null;
  const snoozed = !resolved && record.snoozed !== null && record.snoozed.until > now ? record.snoozed : null;
  const emoji = resolved ? EMOJI.resolved : snoozed ? EMOJI.snoozed : record.acknowledged ? EMOJI.acknowledged : EMOJI.open;
  const head = resolved ? `${emoji} *Resolved:* ~${escape(title)}~` : `${emoji} *${escape(title)}*`;
  const facts = [resolved ? `Lasted ${lasted(startOf(record), record.resolvedAt!)} (${slackDate(startOf(record))} → ${slackDate(record.resolvedAt!)})` : `Since ${slackDate(startOf(record))}`];
  if (record.acknowledged) facts.push(`Acknowledged by ${escape(record.acknowledged.by.name)} ${slackDate(record.acknowledged.at)}`);
  if (snoozed) facts.push(`Snoozed by ${escape(snoozed.by.name)} until ${slackDate(snoozed.until)}`);
  const blocks = [section(`${head}\n${escape(record.problem.reason)}`), context(facts.join(' · '))];
  const buttons = resolved ? [] : buttonsOf(record);
  if (buttons.length > 0) blocks.push(actions(buttons));
  const text = resolved ? `Resolved: ${title} (lasted ${lasted(startOf(record), record.resolvedAt!)})` : `${title}: ${record.problem.reason}`;
  return { text: fallback(escape(text)), blocks };
}

/** A reply in the problem's thread: what changed, what resolved it, that a snooze ended. */
export function renderAlertReply(record: AlertRecord, note: Note, now: number): SlackMessage {
  const title = escape(problemTitle(record.problem));
  let line: string;
  switch (note.kind) {
    case 'changed':
      line = `:arrows_counterclockwise: *Changed:* ${escape(note.reason)}`;
      break;
    case 'reopened':
      line = `${EMOJI.open} *Back again:* ${escape(note.reason)}`;
      break;
    case 'resolved':
      line = `${EMOJI.resolved} *Resolved* after ${lasted(startOf(record), record.resolvedAt ?? now)}: ${escape(note.reason)}`;
      break;
    case 'snooze-ended':
      line = `:alarm_clock: *The snooze has ended and this is still wrong:* ${title}`;
      break;
  }
  const message = section(line);
  return { text: fallback(line.replace(/[*~]/g, '')), blocks: [message] };
}

/** The first watch's one message per channel: what was already wrong, without a burst of alerts. */
export function renderBaseline(records: readonly AlertRecord[], now: number): SlackMessage {
  const count = records.length;
  const intro = `:clipboard: *Alert watching started: ${count} problem${count === 1 ? ' was' : 's were'} already there.* From now on each new problem gets its own message; changes to these are told in this thread.`;
  const budget = new BlockBudget({ blocks: 1, chars: 400 });
  budget.add(section(intro));
  const items = records.map((record) => `• ${escape(problemTitle(record.problem))} (since ${slackDate(startOf(record))})`);
  const listed = listWithin(items, Math.min(LIMITS.text, budget.room), '\n', 'see `restorepoints alerts`');
  budget.add(section(listed.text));
  const message = { text: fallback(`Alert watching started: ${count} problem${count === 1 ? ' was' : 's were'} already there.`), blocks: budget.finish(context(`Watched ${slackDate(now)}`)) };
  return message;
}
