/** One registration per kind of listener; the listeners themselves are plain functions. */
import type { App, BlockButtonAction } from '@slack/bolt';
import { ALERT_ACTION_PATTERN } from '../blocks/alerts.ts';
import { SESSION_ACTION_PATTERN } from '../blocks/session-button.ts';
import type { SlackDeps } from '../deps.ts';
import { acknowledgeLink, openSession } from './actions.ts';
import { alertButton } from './alert-actions.ts';
import { answerCommand, COMMAND } from './commands.ts';
import { answerMention } from './events.ts';
import { answerOnce, type GuardArgs } from './replays.ts';

export function registerCommands(app: App, deps: SlackDeps): void {
  app.command(COMMAND, (args) => answerCommand(args, deps));
}

export function registerEvents(app: App, deps: SlackDeps): void {
  app.event('app_mention', (args) => answerMention(args, deps));
}

export function registerActions(app: App, deps: SlackDeps): void {
  app.action<BlockButtonAction>(SESSION_ACTION_PATTERN, (args) => openSession(args, deps));
  app.action<BlockButtonAction>('open_appliance', (args) => acknowledgeLink(args));
  app.action<BlockButtonAction>(ALERT_ACTION_PATTERN, (args) => alertButton(args, deps));
}

/** Before every listener: a replayed signed request is acked and dropped. */
export function registerReplayGuard(app: App, deps: SlackDeps): void {
  app.use((args) => answerOnce(args as unknown as GuardArgs, deps));
}

export function registerListeners(app: App, deps: SlackDeps): void {
  registerReplayGuard(app, deps);
  registerCommands(app, deps);
  registerEvents(app, deps);
  registerActions(app, deps);
}
