/**
 * One digest run: read every appliance, build each channel's message, post them all. An
 * appliance that cannot be read is reported in the message, never a reason not to post:
 * "no news" must never mean "good news".
 */
import { summaryOf, type Fleet } from '../appliances/fleet.ts';
import type { Logger } from '../log.ts';
import type { SnoozeMark } from '../restore-points/snooze-mark.ts';
import type { Summary } from '../restore-points/summary.ts';
import { renderDigest } from '../slack/blocks/digest.ts';
import { planDigest, type RoutedAppliance } from './plan.ts';
import { postToChannels, type PostingClient, type PostOutcome, type PostOptions } from './post.ts';
import type { SlackMessage } from '../slack/blocks/message.ts';

export interface DigestRun {
  readonly summary: Summary;
  readonly outcomes: readonly PostOutcome[];
  /** Appliances that could not be read (named in the message, and a failure for the exit status). */
  readonly unreadable: readonly string[];
}

export interface SendDigestOptions {
  readonly fleet: Fleet;
  readonly client: PostingClient;
  readonly channels: readonly string[];
  readonly appliances: readonly RoutedAppliance[];
  readonly timeZone: string;
  readonly now: () => number;
  readonly logger: Logger;
  readonly posting?: Omit<PostOptions, 'logger'>;
  /** Asked right before posting; false (the replica is stopping, its claim released) stops the run unposted. */
  readonly mayPost?: () => boolean;
  /** Problems snoozed from an alert: the digest still lists them, marked so. */
  readonly snoozed?: readonly SnoozeMark[];
}

/** The run was given up before it posted anything (the replica is stopping). */
export class DigestAbandoned extends Error {
  constructor() {
    super('the digest was abandoned before posting: this replica is stopping');
    this.name = 'DigestAbandoned';
  }
}

export function only(summary: Summary, names: readonly string[]): Summary {
  return { ...summary, appliances: summary.appliances.filter((appliance) => names.includes(appliance.name)) };
}

export async function sendDigest(options: SendDigestOptions): Promise<DigestRun> {
  const readings = await options.fleet.readAll();
  const now = options.now();
  const summary = summaryOf(readings, now, now);
  const routes = planDigest(options.channels, options.appliances);
  // Channels that get the same appliances get the same message: drawn once (100 channels of one
  // fleet drew it 100 times, most of the fan-out's time).
  const drawn = new Map<string, SlackMessage>();
  const messageFor = (appliances: readonly string[]): SlackMessage => {
    const key = JSON.stringify(appliances);
    let message = drawn.get(key);
    if (!message) {
      const snoozed = (options.snoozed ?? []).filter((mark) => appliances.includes(mark.appliance));
      drawn.set(key, (message = renderDigest(only(summary, appliances), now, options.timeZone, snoozed)));
    }
    return message;
  };
  const posts = routes.map((route) => ({ channel: route.channel, message: messageFor(route.appliances) }));
  if (options.mayPost && !options.mayPost()) throw new DigestAbandoned();
  const outcomes = await postToChannels(options.client, posts, { ...options.posting, logger: options.logger });
  const unreadable = summary.appliances.filter((appliance) => appliance.error).map((appliance) => appliance.name);
  options.logger.info(
    { posted: outcomes.filter((o) => o.ok).length, failed: outcomes.filter((o) => !o.ok).map((o) => o.channel), unreadable },
    'digest run finished',
  );
  return { summary, outcomes, unreadable };
}
