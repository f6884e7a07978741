/**
 * Slack's error codes and what to do about each: one table for `check`, the digest's posts and the
 * listeners, so that the same failure is never explained two ways.
 */

/**
 * The Web API client's error codes (`webApi.ErrorCode`), spelled out so that this table loads
 * without @slack/bolt: the digest command and `check` use it before (or without) any Slack app.
 */
const RATE_LIMITED = 'slack_webapi_rate_limited_error';
const UNREACHABLE = new Set(['slack_webapi_request_error', 'slack_webapi_http_error']);

/** What a Slack Web API call failed with, read from whatever the client threw. */
export interface SlackFailure {
  /** Slack's error code (`channel_not_found`, `invalid_auth`, …), or `ratelimited`, `unreachable`, `error`. */
  readonly code: string;
  /** For `missing_scope`: the scope Slack says was needed. */
  readonly needed: string | null;
  readonly message: string;
  /** For `ratelimited`: Slack's Retry-After, in seconds. */
  readonly retryAfterSeconds: number | null;
}

export function slackFailure(error: unknown): SlackFailure {
  const { code, data, message, retryAfter } = error as { code?: unknown; data?: { error?: unknown; needed?: unknown }; message?: unknown; retryAfter?: unknown };
  const text = typeof message === 'string' ? message : String(error);
  const failure = (slackCode: string, needed: string | null = null): SlackFailure => ({
    code: slackCode,
    needed,
    message: text,
    retryAfterSeconds: slackCode === 'ratelimited' && typeof retryAfter === 'number' ? retryAfter : null,
  });
  if (typeof data?.error === 'string') return failure(data.error, typeof data.needed === 'string' ? data.needed : null);
  if (code === RATE_LIMITED) return failure('ratelimited');
  if (typeof code === 'string' && UNREACHABLE.has(code)) return failure('unreachable');
  return failure(typeof code === 'string' && code !== '' ? code : 'error');
}

export type SlackTokenVariable = 'SLACK_BOT_TOKEN' | 'SLACK_APP_TOKEN';

/** What the fix depends on: which token was used, where the Web API is, what happens next. */
export interface SlackFixContext {
  readonly variable?: SlackTokenVariable;
  /** SLACK_API_URL when set. */
  readonly apiUrl?: string | null;
  /** What happens after Slack rate-limited the caller, e.g. "the digest will go out at the next schedule". */
  readonly afterRateLimit?: string;
}

const INVITE = 'invite the bot (/invite @restorepoints)';

const FIXES: Readonly<Record<string, (failure: Pick<SlackFailure, 'needed'>, context: SlackFixContext) => string>> = {
  channel_not_found: () =>
    `check the channel ID in DIGEST_CHANNELS or the appliance's digestChannels (in Slack: the channel name → About → Channel ID; names do not work); a private channel is invisible to the bot until it is invited: ${INVITE}`,
  not_in_channel: () => `${INVITE.replace('the bot', 'the bot to the channel')}, or add the chat:write.public scope for public channels and reinstall the app`,
  is_archived: () => "the channel is archived: unarchive it, or remove it from DIGEST_CHANNELS (or the appliance's digestChannels)",
  invalid_auth: (_, { variable = 'SLACK_BOT_TOKEN' }) =>
    variable === 'SLACK_BOT_TOKEN'
      ? "Slack refused the token: copy the Bot User OAuth Token (xoxb-…) again from the app's OAuth & Permissions page into SLACK_BOT_TOKEN (it changes when the app is reinstalled; a token of another app or workspace is refused too)"
      : 'Slack refused the app-level token: generate one under Basic Information → App-Level Tokens with the connections:write scope (xapp-…) and put it in SLACK_APP_TOKEN',
  not_authed: (_, { variable = 'SLACK_BOT_TOKEN' }) => `no token reached Slack: set ${variable}`,
  token_revoked: (_, context) => revoked(context),
  token_expired: (_, context) => revoked(context),
  account_inactive: (_, context) => revoked(context),
  not_allowed_token_type: (_, { variable = 'SLACK_BOT_TOKEN' }) =>
    variable === 'SLACK_APP_TOKEN'
      ? 'SLACK_APP_TOKEN must be an app-level token (xapp-…), not a bot or user token'
      : 'SLACK_BOT_TOKEN must be the Bot User OAuth Token (xoxb-…), not a user (xoxp-) or app-level (xapp-) token',
  missing_scope: ({ needed }) =>
    `the token lacks the scope ${needed ?? '(Slack did not say which)'}: add it (OAuth & Permissions → Scopes, or manifest.yml), reinstall the app, and use the new token`,
  restricted_action: () => 'a workspace setting stops the bot posting there: ask a Slack admin',
  msg_too_long: () => 'the message was too long for Slack (a bug: please report it)',
  invalid_blocks: () => 'Slack refused the message layout (a bug: please report it)',
  ratelimited: (_, { afterRateLimit }) => `Slack kept rate-limiting the bot: ${afterRateLimit ?? 'try again in a minute'}`,
  unreachable: (_, { apiUrl }) =>
    `cannot reach Slack's Web API (${apiUrl ?? 'https://slack.com/api/'}): check this host's network, DNS and HTTPS proxy${apiUrl ? ', and SLACK_API_URL' : ''}`,
};

function revoked({ variable = 'SLACK_BOT_TOKEN' }: SlackFixContext): string {
  return `the token was revoked or the app uninstalled: reinstall the app to the workspace and put the new token in ${variable}`;
}

/** What to do about a Slack failure: one sentence, from the table, or what Slack said when the code is new to us. */
export function slackFix(failure: Pick<SlackFailure, 'code' | 'needed' | 'message'>, context: SlackFixContext = {}): string {
  const fix = FIXES[failure.code];
  return fix ? fix(failure, context) : `Slack answered ${failure.code}${failure.message && failure.message !== failure.code ? ` (${failure.message})` : ''}`;
}

/** Whether the table knows the code (a known code needs no "Slack answered …" fallback). */
export function isKnownSlackFailure(code: string): boolean {
  return Object.hasOwn(FIXES, code);
}
