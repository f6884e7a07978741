/** `/restorepoints …`: ack at once, then answer through response_url (ephemeral unless `share`). */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { ask } from '../../appliances/ask.ts';
import { renderAnswer } from '../blocks/answer.ts';
import type { Answer } from '../../restore-points/answer.ts';
import type { SlackMessage } from '../blocks/message.ts';
import { renderError } from '../blocks/help.ts';
import type { SlackDeps } from '../deps.ts';
import { slackFailure, slackFix } from '../failures.ts';

export const COMMAND = '/restorepoints';

export type CommandArgs = SlackCommandMiddlewareArgs & Pick<AllMiddlewareArgs, 'client'>;

export async function answerCommand(args: CommandArgs, deps: SlackDeps): Promise<void> {
  // Before any I/O: Slack shows the user operation_timeout after 3 s without it.
  await args.ack();
  const work = answerAfterAck(args, deps);
  await (deps.inFlight ? deps.inFlight.track(work) : work);
}

async function answerAfterAck({ command, respond, client }: CommandArgs, deps: SlackDeps): Promise<void> {
  const log = deps.logger.child({ command: COMMAND, user: command.user_id, channel: command.channel_id });
  let message: SlackMessage;
  let share = false;
  let outcome: 'ok' | 'error' = 'ok';
  try {
    const asked = await ask(command.text, {
      fleet: deps.fleet,
      now: deps.now,
      timeZone: () => deps.userZones.zoneOf(command.user_id, client),
    });
    message = renderedAnswer(asked.answer);
    share = asked.query.share;
  } catch (error) {
    log.error({ err: error }, 'could not answer the command');
    message = renderError('the bot hit an unexpected error; the details are in its log.');
    outcome = 'error';
  }
  try {
    await respond({ ...message, blocks: [...message.blocks], response_type: share ? 'in_channel' : 'ephemeral' });
  } catch (error) {
    // An expired or used-up response_url: answer through the Web API instead.
    log.warn({ reason: (error as Error).message }, 'response_url refused the answer; posting through the Web API');
    try {
      if (share) await client.chat.postMessage({ channel: command.channel_id, text: message.text, blocks: [...message.blocks] });
      else await client.chat.postEphemeral({ channel: command.channel_id, user: command.user_id, text: message.text, blocks: [...message.blocks] });
    } catch (fallbackError) {
      outcome = 'error';
      const failure = slackFailure(fallbackError);
      log.error({ reason: failure.message, error: failure.code, fix: slackFix(failure) }, 'could not deliver the answer (is the bot in the channel?)');
    }
  }
  deps.usage?.handled('command', outcome);
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
