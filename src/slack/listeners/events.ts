/** `@restorepoints …` in a channel: the same query language, answered in the thread, once. */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { ask } from '../../appliances/ask.ts';
import { renderAnswer } from '../blocks/answer.ts';
import type { Answer } from '../../restore-points/answer.ts';
import type { SlackMessage } from '../blocks/message.ts';
import { renderError } from '../blocks/help.ts';
import type { SlackDeps } from '../deps.ts';

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
  try {
    await client.chat.postMessage({ channel: event.channel, thread_ts: threadTs, text: message.text, blocks: [...message.blocks] });
  } catch (error) {
    outcome = 'error';
    log.error({ reason: (error as Error).message }, 'could not answer in the thread (is the bot in the channel?)');
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
