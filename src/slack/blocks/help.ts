/** Usage, and the answers for words or names the bot could not use. */
import type { Answer } from '../../restore-points/answer.ts';
import type { QueryProblem } from '../../restore-points/query.ts';
import { listWithin } from './budget.ts';
import { context, fallback, section, type SlackMessage } from './message.ts';
import { code, escape } from './mrkdwn.ts';

export const USAGE = [
  '`/restorepoints` — the latest usable restore point per destination, on every appliance',
  '`/restorepoints stale` — only what is stale',
  '`/restorepoints unprotected` — VMs the appliance knows that have no restore point at all',
  '`/restorepoints failed` — sessions that failed or warned recently (FAILURE_WINDOW), with the appliance’s reason; `failed NAME` for one workload',
  '`/restorepoints NAME` — workloads whose name contains NAME: latest per destination and recent points',
  '`/restorepoints NAME before 09:30` — the newest usable point at or before a time (your time zone; also `2026-11-25 09:30`, ISO with an offset, or `90m`, `3h`, `2d` ago)',
  '`/restorepoints in AzureBlob` — only one destination',
  '`/restorepoints on APPLIANCE` — only one appliance',
  '`/restorepoints … share` — post the answer in the channel instead of only to you',
  'In an incident channel, mention `@restorepoints` with the same words: it answers in the thread.',
];

export function renderHelp(problems: readonly QueryProblem[]): SlackMessage {
  const understood = problems.length
    ? [section(`*I did not understand everything:*\n${listWithin(problems.map((p) => `• ${code(p.word)}: ${escape(p.reason)}`), 1500).text}`)]
    : [];
  return {
    text: fallback(problems.length ? `Not understood: ${problems.map((p) => escape(p.word)).join(', ')}. Try /restorepoints help.` : 'How to ask /restorepoints'),
    blocks: [...understood, section(`*How to ask*\n${USAGE.join('\n')}`), context('Times are shown in your own time zone. Corrupted points are never offered as the latest.')],
  };
}

export function renderNotFound(answer: Extract<Answer, { kind: 'not-found' }>): SlackMessage {
  const what = { appliance: 'appliance', destination: 'destination', workload: 'workload' }[answer.what];
  const known = answer.known.length ? `\nKnown: ${listWithin(answer.known.map(code), 1500, ', ').text}` : '';
  const sentence = `No ${what} called ${code(answer.asked)}.`;
  return { text: fallback(`No ${what} called ${escape(answer.asked)}.`), blocks: [section(`${sentence}${known}`), context('`/restorepoints help` shows what you can ask.')] };
}

/** When something failed that the user cannot fix by asking differently. */
export function renderError(sentence: string): SlackMessage {
  return { text: fallback(`Sorry, that did not work: ${escape(sentence)}`), blocks: [section(`⚠️ Sorry, that did not work: ${escape(sentence)}`)] };
}
