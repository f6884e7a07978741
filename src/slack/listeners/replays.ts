/**
 * A signed request answered once. Slack's signature only proves who sent a request and that it
 * is less than five minutes old: the same signed request sent again within that window passes
 * Bolt's check, and a replayed slash command would be answered every time. The signature (an
 * HMAC of timestamp and body) names one request: it is claimed through the same claims as
 * mentions (shared between replicas through Redis, else this replica's memory, bounded).
 */
import type { AnyMiddlewareArgs, Context } from '@slack/bolt';
import { within } from '../../lib/timeout.ts';
import type { SlackDeps } from '../deps.ts';

/**
 * The claim runs before the listener acks: a stalled Redis must not cost Slack's 3 s. Past this,
 * the request is taken as new (this replica's own memory has already been asked).
 */
export const REPLAY_CHECK_MS = 500;

/** What the HTTP receiver puts in each request's context (Socket Mode requests carry none). */
export const SIGNATURE_PROPERTY = 'requestSignature';

export type GuardArgs = Pick<AnyMiddlewareArgs, 'body'> & { context: Context; next: () => Promise<void>; ack?: (response?: unknown) => Promise<void> };

export async function answerOnce({ context, ack, next }: GuardArgs, deps: Pick<SlackDeps, 'eventClaims' | 'logger'>): Promise<void> {
  const signature = context[SIGNATURE_PROPERTY];
  if (typeof signature !== 'string' || signature === '') return next();
  if (await within(deps.eventClaims.claim(`request:${signature}`), REPLAY_CHECK_MS, () => true)) return next();
  deps.logger.warn({ signature: `${signature.slice(0, 12)}…` }, 'ignored a signed request seen before (a replay): it was answered the first time');
  // Slack (or whoever replays) gets its 200 at once; nothing else happens.
  await ack?.();
}
