/**
 * Posting the digest to its channels: a few at a time, honouring Slack's Retry-After a bounded
 * number of times, and never letting one failing channel stop the others. Each failure is
 * reported with what to do about it.
 */
import type { SlackMessage } from '../slack/blocks/message.ts';
import type { Logger } from '../log.ts';
import { mapBounded } from '../lib/map-bounded.ts';

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

const FIXES: Record<string, string> = {
  channel_not_found: 'check the channel ID in DIGEST_CHANNELS; for a private channel, invite the bot (/invite @restorepoints)',
  not_in_channel: 'invite the bot to the channel (/invite @restorepoints), or grant the chat:write.public scope for public channels',
  is_archived: 'the channel is archived: unarchive it or remove it from DIGEST_CHANNELS',
  missing_scope: 'add the chat:write scope to the app and reinstall it',
  invalid_auth: 'SLACK_BOT_TOKEN is not valid: copy the Bot User OAuth Token (xoxb-…) again',
  token_revoked: 'SLACK_BOT_TOKEN was revoked: reinstall the app and use the new token',
  account_inactive: 'the app was uninstalled or its token deactivated: reinstall it',
  restricted_action: 'a workspace setting stops the bot posting there: ask a Slack admin',
  msg_too_long: 'the message was too long for Slack (a bug: please report it)',
  invalid_blocks: 'Slack refused the message layout (a bug: please report it)',
  ratelimited: 'Slack kept rate-limiting the bot: the digest will go out at the next schedule',
};

interface SlackFailure {
  readonly code?: string;
  readonly retryAfter?: number;
  readonly data?: { error?: string };
  readonly message?: string;
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
        const failure = caught as SlackFailure;
        const waitMs = failure.code === 'slack_webapi_rate_limited_error' ? (failure.retryAfter ?? 1) * 1000 : null;
        if (waitMs !== null && tries < maxTries && waitMs <= maxWaitMs) {
          options.logger.info({ channel, waitMs }, 'Slack asked to slow down; retrying the digest post');
          await sleep(waitMs);
          continue;
        }
        const error = waitMs !== null ? 'ratelimited' : (failure.data?.error ?? failure.code ?? 'request_failed');
        const fix = FIXES[error] ?? `Slack answered ${error}${failure.message ? ` (${failure.message})` : ''}`;
        options.logger.error({ channel, error, fix }, 'could not post the digest to a channel');
        return { channel, ok: false, error, fix, tries };
      }
    }
  });
}
