/** Session buttons: ack, then answer the clicker alone with the session, read from the appliance that made it. */
import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { parseSessionValue } from '../blocks/session-button.ts';
import { renderSession, renderSessionProblem } from '../blocks/session.ts';
import type { SlackMessage } from '../blocks/message.ts';
import type { SlackDeps } from '../deps.ts';

export type ButtonArgs = SlackActionMiddlewareArgs<BlockButtonAction> & Pick<AllMiddlewareArgs, 'client'>;

export async function openSession(args: ButtonArgs, deps: SlackDeps): Promise<void> {
  await args.ack();
  const work = answerSession(args, deps);
  await (deps.inFlight ? deps.inFlight.track(work) : work);
}

async function sessionMessage(value: unknown, deps: SlackDeps): Promise<SlackMessage> {
  const ref = parseSessionValue(value);
  if (!ref) return renderSessionProblem('This button does not name a job session the bot can look up.');
  const reader = deps.fleet.reader(ref.appliance);
  if (!reader) return renderSessionProblem(`The appliance ${ref.appliance} is no longer configured in this bot.`);
  try {
    const session = await reader.getJobSession(ref.session);
    if (!session) return renderSessionProblem(`Job session ${ref.session} no longer exists on ${ref.appliance} (sessions are removed with their retention).`);
    return renderSession(session, reader.url);
  } catch (error) {
    return renderSessionProblem(`Could not read job session ${ref.session} from ${ref.appliance}: ${(error as Error).message}`);
  }
}

async function answerSession({ action, body, respond, client }: ButtonArgs, deps: SlackDeps): Promise<void> {
  const message = await sessionMessage(action.value, deps);
  const failed = message.blocks.length === 1;
  try {
    // A new ephemeral message: the original (perhaps the shared digest) stays untouched.
    await respond({ ...message, blocks: [...message.blocks], response_type: 'ephemeral', replace_original: false });
  } catch {
    const channel = body.channel?.id;
    try {
      if (channel) await client.chat.postEphemeral({ channel, user: body.user.id, text: message.text, blocks: [...message.blocks] });
    } catch (error) {
      deps.logger.error({ reason: (error as Error).message }, 'could not answer the session button');
    }
  }
  deps.usage?.handled('session', failed ? 'error' : 'ok');
}

/** The appliance link button: Slack still sends the click, which must be acked. */
export async function acknowledgeLink({ ack }: Pick<ButtonArgs, 'ack'>): Promise<void> {
  await ack();
}
