/** The daily digest: the overview, titled with the day it reports on. */
import type { SnoozeMark } from '../../restore-points/snooze-mark.ts';
import { TZDate } from '@date-fns/tz';
// From its own module: the package's index imports every date-fns function (about 1 s of start-up).
import { format } from 'date-fns/format';
import type { Summary } from '../../restore-points/summary.ts';
import { blockChars } from './budget.ts';
import { LIMITS } from './limits.ts';
import { context, type SlackMessage } from './message.ts';
import { escape, slackDate } from './mrkdwn.ts';
import { renderOverview } from './overview.ts';

export function renderDigest(summary: Summary, now: number, timeZone: string, snoozed: readonly SnoozeMark[] = []): SlackMessage {
  const day = format(new TZDate(now, timeZone), 'EEE d MMM');
  const message = renderOverview(summary, { title: `Restore points digest · ${day}`, staleOnly: false, times: { now, asOf: null } });
  return snoozed.length === 0 ? message : withSnoozes(message, snoozed);
}

/** Snoozed problems in one closing context, in whatever room the overview left (it is never the reason a digest is refused). */
function withSnoozes(message: SlackMessage, snoozed: readonly SnoozeMark[]): SlackMessage {
  const room = LIMITS.messageChars - message.blocks.reduce((sum, block) => sum + blockChars(block), 0);
  if (message.blocks.length >= LIMITS.blocks || room < 80) return message;
  const text = `:zzz: Snoozed: ${snoozed.map((mark) => `${escape(mark.what)} (by ${escape(mark.by)} until ${slackDate(mark.until)})`).join('; ')}`;
  return { ...message, blocks: [...message.blocks, context(text.length <= room ? text : `:zzz: ${snoozed.length} problem${snoozed.length === 1 ? ' is' : 's are'} snoozed: see \`restorepoints alerts\``)] };
}
