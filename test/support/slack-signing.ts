/**
 * Build and sign requests the way Slack sends them to the bot's HTTP receiver (`POST /slack/events`).
 *
 * Signature: `v0=` + hex HMAC-SHA256(signing secret, `v0:{timestamp}:{raw body}`), sent with
 * `x-slack-request-timestamp`. Bolt rejects bad signatures and timestamps older than 5 minutes (401).
 */
import { createHmac } from 'node:crypto';

export interface SlackSignatureHeaders {
  'x-slack-signature': string;
  'x-slack-request-timestamp': string;
}

export const TEST_TEAM_ID = 'T0TEST';
export const TEST_APP_ID = 'A0TEST';
export const TEST_USER_ID = 'U0TESTUSER';
export const TEST_CHANNEL_ID = 'C0TESTCHAN';
/** The fake's bot user, as answered by its `auth.test`. */
export const TEST_BOT_USER_ID = 'UBOT';

let sequence = 0;
function nextSequence(): number {
  sequence += 1;
  return sequence;
}

export function signSlackRequest(
  secret: string,
  body: string,
  timestampSeconds: number = Math.floor(Date.now() / 1000),
): SlackSignatureHeaders {
  const timestamp = String(Math.floor(timestampSeconds));
  const digest = createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'x-slack-signature': `v0=${digest}`, 'x-slack-request-timestamp': timestamp };
}

export interface SlashCommandFields {
  command?: string;
  text: string;
  user_id?: string;
  channel_id?: string;
  response_url: string;
  team_id?: string;
  trigger_id?: string;
}

/** An `application/x-www-form-urlencoded` body with the fields Slack sends for a slash command. */
export function slashCommandBody(fields: SlashCommandFields): string {
  const n = nextSequence();
  const teamId = fields.team_id ?? TEST_TEAM_ID;
  const channelId = fields.channel_id ?? TEST_CHANNEL_ID;
  const userId = fields.user_id ?? TEST_USER_ID;
  return new URLSearchParams({
    token: 'verification-token-unused',
    team_id: teamId,
    team_domain: 'test',
    channel_id: channelId,
    channel_name: channelId.toLowerCase(),
    user_id: userId,
    user_name: userId.toLowerCase(),
    command: fields.command ?? '/restorepoints',
    text: fields.text,
    api_app_id: TEST_APP_ID,
    is_enterprise_install: 'false',
    response_url: fields.response_url,
    trigger_id: fields.trigger_id ?? `${n}.1000000000.test${n}`,
  }).toString();
}

export interface EventCallbackOptions {
  eventId?: string;
  teamId?: string;
  apiAppId?: string;
}

/**
 * The JSON `event_callback` envelope around `event` (for `app_mention`: `{ type, user, text, ts,
 * channel, event_ts }`). A fresh `event_id` each call unless `eventId` is given (pass the same one
 * to simulate Slack's retried delivery).
 */
export function eventCallbackBody(event: Record<string, unknown>, options: EventCallbackOptions = {}): string {
  const n = nextSequence();
  const teamId = options.teamId ?? TEST_TEAM_ID;
  const eventTime = Math.floor(Date.now() / 1000);
  return JSON.stringify({
    token: 'verification-token-unused',
    team_id: teamId,
    api_app_id: options.apiAppId ?? TEST_APP_ID,
    event,
    type: 'event_callback',
    event_id: options.eventId ?? `Ev0TEST${String(n).padStart(6, '0')}`,
    event_time: eventTime,
    authorizations: [
      { enterprise_id: null, team_id: teamId, user_id: TEST_BOT_USER_ID, is_bot: true, is_enterprise_install: false },
    ],
    is_ext_shared_channel: false,
    event_context: `4-test-${n}`,
  });
}

/**
 * `payload=<urlencoded JSON>` as Slack sends interactions. `payload` is sent as given, over a shallow
 * set of defaults for the envelope fields Bolt reads (`type: 'block_actions'`, `team`, `user`,
 * `api_app_id`, `token`, `trigger_id`); `response_url`, `channel`, `container` and `actions` are
 * never defaulted: a test that leaves them out gets them left out.
 */
export function blockActionsBody(payload: Record<string, unknown>): string {
  const n = nextSequence();
  const full = {
    type: 'block_actions',
    team: { id: TEST_TEAM_ID, domain: 'test' },
    user: { id: TEST_USER_ID, username: 'test.user', name: 'test.user', team_id: TEST_TEAM_ID },
    api_app_id: TEST_APP_ID,
    token: 'verification-token-unused',
    trigger_id: `${n}.1000000000.test${n}`,
    ...payload,
  };
  return new URLSearchParams({ payload: JSON.stringify(full) }).toString();
}

export interface PostSignedOptions {
  secret: string;
  timestampSeconds?: number;
  /** Sent after the signature headers, so they can override them (forged or replayed requests, `x-slack-retry-num`). */
  headers?: Record<string, string>;
}

export interface PostSignedResult {
  status: number;
  body: string;
  /** `Date.now()` when the whole response had arrived. */
  receivedAt: number;
  headers: Record<string, string>;
}

/** POST `body` to `url` signed with `options.secret`, as Slack would. */
export async function postSigned(
  url: string,
  body: string,
  contentType: 'application/x-www-form-urlencoded' | 'application/json',
  options: PostSignedOptions,
): Promise<PostSignedResult> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      ...signSlackRequest(options.secret, body, options.timestampSeconds),
      ...options.headers,
    },
    body,
    redirect: 'manual',
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text,
    receivedAt: Date.now(),
    headers: Object.fromEntries(response.headers.entries()),
  };
}
