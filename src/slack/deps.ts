/** What the Slack listeners need from the rest of the bot: passed in, so each listener is a plain function a test can call. */
import type { Fleet } from '../appliances/fleet.ts';
import type { Logger } from '../log.ts';
import type { EventClaims } from './event-deduplication.ts';
import type { UserZones } from './user-zones.ts';

export interface SlackUsage {
  /** A slash command or mention was answered (ok) or failed. */
  handled(kind: 'command' | 'mention' | 'session', outcome: 'ok' | 'error'): void;
}

/** Acknowledge and snooze from an alert message (present when alerts are on). */
export interface AlertControls {
  /** False when the problem is no longer open. */
  clicked(key: string, who: { id: string; name: string }, what: { action: 'acknowledge' } | { action: 'snooze'; until: number }): Promise<boolean>;
}

export interface SlackDeps {
  readonly fleet: Fleet;
  readonly userZones: UserZones;
  readonly eventClaims: EventClaims;
  readonly logger: Logger;
  readonly now: () => number;
  readonly usage?: SlackUsage;
  /** Counts work started after ack(), so a graceful shutdown can wait for it. */
  readonly inFlight?: { track<T>(work: Promise<T>): Promise<T> };
  readonly alerts?: AlertControls;
}
