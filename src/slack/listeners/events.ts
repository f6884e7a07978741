/** `@restorepoints …` in a channel: the same query language, answered in the thread, once. */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { ask } from '../../appliances/ask.ts';
import { renderAnswer } from '../blocks/answer.ts';
import type { Answer } from '../../restore-points/answer.ts';
import type { SlackMessage } from '../blocks/message.ts';
import { renderError } from '../blocks/help.ts';
import type { SlackDeps } from '../deps.ts';
import { postWithoutDuplicates } from '../post-fate.ts';

/** A thread answer is resent only when Slack said it was not done, and not waited for long. */
const THREAD_ANSWER_RETRY = { maxTries: 3, maxWaitMs: 10_000 };
import { slackFailure, slackFix } from '../failures.ts';

export type MentionArgs = SlackEventMiddlewareArgs<'app_mention'> & Pick<AllMiddlewareArgs, 'client' | 'context'>;

/** The words after the mention: every mention of the bot itself is dropped. */
export function mentionWords(text: string, botUserId: string | undefined): string {
  const self = botUserId ? new RegExp(`<@${botUserId}(?:\\|[^>]*)?>`, 'g') : /^\s*<@[A-Z0-9]+(?:\|[^>]*)?>/;
  return text.replace(self, ' ').trim();
}

export async function answerMention({ event, body, client, context }: MentionArgs, deps: SlackDeps): Promise<void> {
  const eventId = (body as { event_id?: string }).event_id ?? `${event.channel}:${event.ts}`;
  if (event.bot_id || (context.botUserId && event.user === context.botUserId)) return;
  if (!(await deps.eventClaims.claim(eventId))) {
    deps.logger.debug({ eventId }, 'ignored a redelivered mention');
    return;
  }
  const work = answerInThread({ event, client, context }, deps);
  await (deps.inFlight ? deps.inFlight.track(work) : work);
}

async function answerInThread({ event, client, context }: Pick<MentionArgs, 'event' | 'client' | 'context'>, deps: SlackDeps): Promise<void> {
  const log = deps.logger.child({ event: 'app_mention', channel: event.channel, user: event.user });
  const threadTs = event.thread_ts ?? event.ts;
  let message: SlackMessage;
  let outcome: 'ok' | 'error' = 'ok';
  try {
    const asked = await ask(mentionWords(event.text, context.botUserId), {
      fleet: deps.fleet,
      now: deps.now,
      timeZone: () => (event.user ? deps.userZones.zoneOf(event.user, client) : Promise.resolve('UTC')),
    });
    message = renderedAnswer(asked.answer);
  } catch (error) {
    log.error({ err: error }, 'could not answer the mention');
    message = renderError('the bot hit an unexpected error; the details are in its log.');
    outcome = 'error';
  }
  const posted = await postWithoutDuplicates(
    () => client.chat.postMessage({ channel: event.channel, thread_ts: threadTs, text: message.text, blocks: [...message.blocks] }),
    THREAD_ANSWER_RETRY,
  );
  if (!posted.ok) {
    outcome = 'error';
    if (posted.fate.kind === 'unknown') log.error({ reason: posted.fate.error, fate: 'unknown' }, 'Slack did not answer in time: the thread answer may or may not have been posted; not sent again');
    else log.error({ reason: posted.fate.error, fix: slackFix(slackFailure({ data: { error: posted.fate.error } })) }, 'could not answer in the thread (is the bot in the channel?)');
  }
  deps.usage?.handled('mention', outcome);
}

/**
 * The message of an answer, drawn once: answers are shared by askers of the same question within
 * SUMMARY_REUSE_MS (60 s), and drawing one at 5,000 workloads takes up to 200 ms of event loop.
 */
const rendered = new WeakMap<Answer, SlackMessage>();
function renderedAnswer(answer: Answer): SlackMessage {
  let message = rendered.get(answer);
  if (!message) rendered.set(answer, (message = renderAnswer(answer)));
  return message;
}
