/** The answer to a session button: what the job session that made a point did. */
import type { JobSession } from '../../restore-points/model.ts';
import { formatCount } from '../../restore-points/format.ts';
import { formatDuration } from '../../lib/duration.ts';
import { LIMITS, truncate } from './limits.ts';
import { actions, button, fallback, section, type SlackMessage } from './message.ts';
import { code, escape, slackDate } from './mrkdwn.ts';

const STATUS_EMOJI: Record<string, string> = {
  Success: '✅',
  Warning: '⚠️',
  Error: '❌',
  Running: '🔄',
  RunningWithWarning: '🔄',
  RunningWithError: '🔄',
  Canceled: '⏹️',
  Canceling: '⏹️',
  Pending: '⏳',
  NeverExecuted: '⚪',
};

export function statusEmoji(status: string): string {
  return STATUS_EMOJI[status] ?? '❔';
}

/**
 * `webUi` is the appliance's address: its web UI is served on the same port as the API. The button
 * opens the UI's home, not the session: Veeam documents no web-UI route for a session (the v8.1
 * OpenAPI's `JobSession._links` are REST links, `self` and `log`, and the user guide only says
 * "Session Log" tab), and a guessed route of the single-page UI could break with any release.
 */
export function renderSession(session: JobSession, webUi: string): SlackMessage {
  const title = `${statusEmoji(session.status)} *${escape(session.status)}* · ${escape(session.policyName ?? session.localizedType ?? session.type ?? 'Job session')}`;
  const type = session.localizedType && session.type ? `${escape(session.localizedType)} (${escape(session.type)})` : escape(session.localizedType ?? session.type ?? 'unknown');
  const fields = [
    `*Type*\n${type}`,
    `*Started*\n${session.startedAt === null ? 'unknown' : slackDate(session.startedAt)}`,
    `*Duration*\n${session.durationMs === null ? (session.stoppedAt === null ? 'still running' : 'unknown') : formatDuration(session.durationMs)}`,
    `*Protected instances*\n${session.protectedInstances === null ? 'unknown' : formatCount(session.protectedInstances)}`,
    `*Appliance*\n${escape(session.appliance)}`,
    `*Session*\n${code(session.id)}`,
  ];
  // A failed or warning session says why, in the appliance's own words (its log's last problem line).
  const message = session.message ? truncate(session.message, LIMITS.text - 200) : null;
  const why = message ? [section(`${/error/i.test(session.status) ? '❌' : '⚠️'} *What the appliance says*\n> ${escape(message).replace(/\n/g, '\n> ')}`)] : [];
  return {
    text: fallback(escape(`${session.status}: ${session.policyName ?? session.type ?? 'job session'} on ${session.appliance} (session ${session.id})${message ? `: ${message}` : ''}`)),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: title }, fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
      ...why,
      actions([button('Open in the appliance', { actionId: 'open_appliance', url: webUi })]),
    ],
  };
}

/** A click that cannot be answered with the session: gone, or the appliance is down. */
export function renderSessionProblem(sentence: string): SlackMessage {
  return { text: fallback(escape(sentence)), blocks: [section(`⚠️ ${escape(sentence)}`)] };
}
