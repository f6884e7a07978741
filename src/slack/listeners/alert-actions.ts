/** Acknowledge and Snooze on an alert: ack at once, change the alert state; the root is then edited to show who. */
import { parseAlertAction } from '../blocks/alerts.ts';
import { escape } from '../blocks/mrkdwn.ts';
import type { SlackDeps } from '../deps.ts';
import type { ButtonArgs } from './actions.ts';

export async function alertButton(args: ButtonArgs, deps: SlackDeps): Promise<void> {
  await args.ack();
  const work = applyAlertButton(args, deps);
  await (deps.inFlight ? deps.inFlight.track(work) : work);
}

async function applyAlertButton({ action, body, respond }: ButtonArgs, deps: SlackDeps): Promise<void> {
  const choice = parseAlertAction(action.action_id);
  const key = action.value;
  if (!deps.alerts || !choice || typeof key !== 'string') return;
  const user = body.user as { id: string; name?: string; username?: string };
  const who = { id: user.id, name: user.name ?? user.username ?? user.id };
  const what = choice.action === 'acknowledge' ? { action: 'acknowledge' as const } : { action: 'snooze' as const, until: deps.now() + choice.ms };
  let answer: string | null = null;
  try {
    if (!(await deps.alerts.clicked(key, who, what))) answer = 'This problem is no longer open: there is nothing to acknowledge or snooze.';
  } catch (error) {
    deps.logger.error({ reason: (error as Error).message }, 'could not record an alert button');
    answer = `That did not work: the alert state could not be changed (${escape((error as Error).message)}). Try again in a moment.`;
  }
  if (answer === null) return;
  try {
    await respond({ text: answer, response_type: 'ephemeral', replace_original: false });
  } catch {
    deps.logger.warn('could not tell the clicker that the alert button did nothing');
  }
}
