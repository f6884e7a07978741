/**
 * Posting the digest to its channels: a few at a time, honouring Slack's Retry-After a bounded
 * number of times, and never letting one failing channel stop the others. Each failure is
 * reported with what to do about it.
 */
import type { SlackMessage } from '../slack/blocks/message.ts';
import type { Logger } from '../log.ts';
import { mapBounded } from '../lib/map-bounded.ts';
import { postWithoutDuplicates } from '../slack/post-fate.ts';
import { slackFix } from '../slack/failures.ts';

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
  /** Slack did not answer in time (or the connection broke): the post may be in the channel. */
  readonly fateUnknown?: boolean;
}

/**
 * Channels posted to at once. Slack's limit is about one message a second per channel, so
 * different channels need not wait for each other: 50 sends a typical channel list in one wave
 * (at 20, 50 channels took three, 4× one channel's time in the benchmark); the bound keeps a huge
 * list polite, and a 429 is honoured per post.
 */
export const DIGEST_POST_PARALLELISM = 50;

export interface PostOptions {
  readonly parallelism?: number;
  /** Attempts per channel when Slack answers 429. */
  readonly maxTries?: number;
  /** A Retry-After longer than this gives up on the channel instead of stalling the digest. */
  readonly maxWaitMs?: number;
  readonly logger: Logger;
  readonly sleep?: (ms: number) => Promise<void>;
}

const UNKNOWN_FATE_FIX =
  'Slack did not answer in time: the digest may or may not be in the channel. It is not sent again (that could post it twice): check the channel';

export async function postToChannels(client: PostingClient, posts: ReadonlyArray<{ channel: string; message: SlackMessage }>, options: PostOptions): Promise<PostOutcome[]> {
  const retry = { maxTries: options.maxTries ?? 3, maxWaitMs: options.maxWaitMs ?? 60_000, ...(options.sleep ? { sleep: options.sleep } : {}) };
  return mapBounded(posts, options.parallelism ?? DIGEST_POST_PARALLELISM, async ({ channel, message }): Promise<PostOutcome> => {
    const result = await postWithoutDuplicates(() => client.chat.postMessage({ channel, text: message.text, blocks: [...message.blocks] }), {
      ...retry,
      onRetry: (fate, waitMs) =>
        options.logger.info({ channel, waitMs, reason: fate.error }, fate.error === 'ratelimited' ? 'Slack asked to slow down; retrying the digest post' : 'the digest post did not reach Slack; sending it again'),
    });
    if (result.ok) {
      options.logger.info({ channel, tries: result.tries }, 'posted the digest');
      return { channel, ok: true, error: null, fix: null, tries: result.tries };
    }
    const { fate, tries } = result;
    if (fate.kind === 'unknown') {
      options.logger.error({ channel, error: fate.error, fate: 'unknown', fix: UNKNOWN_FATE_FIX }, 'the digest post may or may not have been posted: not sent again');
      return { channel, ok: false, error: fate.error, fix: UNKNOWN_FATE_FIX, tries, fateUnknown: true };
    }
    const fix = slackFix({ code: fate.error, needed: null, message: fate.error }, { afterRateLimit: 'the digest will go out at the next schedule' });
    options.logger.error({ channel, error: fate.error, fix }, 'could not post the digest to a channel');
    return { channel, ok: false, error: fate.error, fix, tries };
  });
}
