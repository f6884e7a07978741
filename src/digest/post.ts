/**
 * Posting the digest to its channels: a few at a time, honouring Slack's Retry-After a bounded
 * number of times, and never letting one failing channel stop the others. Each failure is
 * reported with what to do about it.
 */
import type { SlackMessage } from '../slack/blocks/message.ts';
import type { Logger } from '../log.ts';
import { mapBounded } from '../lib/map-bounded.ts';
import { slackFailure, slackFix } from '../slack/failures.ts';

/** The part of the Web API client posting needs. */
export interface PostingClient {
  chat: { postMessage(args: { channel: string; text: string; blocks: SlackMessage['blocks'][number][] }): Promise<{ ok?: boolean; ts?: string }> };
}

export interface PostOutcome {
  readonly channel: string;
  readonly ok: boolean;
  /** Slack's error code (channel_not_found, not_in_channel, ratelimited…), null when posted. */
  readonly error: string | null;
  /** What an operator should do, when we know. */
  readonly fix: string | null;
  readonly tries: number;
}

/**
 * Channels posted to at once. Slack's limit is about one message a second per channel, so
 * different channels need not wait for each other; the bound keeps a huge list polite.
 */
export const DIGEST_POST_PARALLELISM = 20;

export interface PostOptions {
  readonly parallelism?: number;
  /** Attempts per channel when Slack answers 429. */
  readonly maxTries?: number;
  /** A Retry-After longer than this gives up on the channel instead of stalling the digest. */
  readonly maxWaitMs?: number;
  readonly logger: Logger;
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function postToChannels(client: PostingClient, posts: ReadonlyArray<{ channel: string; message: SlackMessage }>, options: PostOptions): Promise<PostOutcome[]> {
  const maxTries = options.maxTries ?? 3;
  const maxWaitMs = options.maxWaitMs ?? 60_000;
  const sleep = options.sleep ?? defaultSleep;
  return mapBounded(posts, options.parallelism ?? DIGEST_POST_PARALLELISM, async ({ channel, message }) => {
    for (let tries = 1; ; tries++) {
      try {
        await client.chat.postMessage({ channel, text: message.text, blocks: [...message.blocks] });
        options.logger.info({ channel, tries }, 'posted the digest');
        return { channel, ok: true, error: null, fix: null, tries };
      } catch (caught) {
        const failure = slackFailure(caught);
        const waitMs = failure.code === 'ratelimited' ? (failure.retryAfterSeconds ?? 1) * 1000 : null;
        if (waitMs !== null && tries < maxTries && waitMs <= maxWaitMs) {
          options.logger.info({ channel, waitMs }, 'Slack asked to slow down; retrying the digest post');
          await sleep(waitMs);
          continue;
        }
        const error = failure.code;
        const fix = slackFix(failure, { afterRateLimit: 'the digest will go out at the next schedule' });
        options.logger.error({ channel, error, fix }, 'could not post the digest to a channel');
        return { channel, ok: false, error, fix, tries };
      }
    }
  });
}
