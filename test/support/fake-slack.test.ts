import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel, RespondError, isValidSlackRequest, webApi, type Logger, type types } from '@slack/bolt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RESPONSE_URL_USES, startFakeSlack, type FakeSlack } from './fake-slack.ts';
import { expectWithinSlackLimits, slackLimitViolations, SlackLimitsError, type SlackMessageLike } from './slack-limits.ts';
import { blockActionsBody, eventCallbackBody, postSigned, signSlackRequest, slashCommandBody } from './slack-signing.ts';

const { WebClient, ErrorCode, WebClientEvent } = webApi;
type WebClientOptions = webApi.WebClientOptions;

const TOKEN = 'xoxb-test-token';
const SECRET = 'test-signing-secret';

/** Keeps expected failures (invalid_blocks, 429s) out of the test output. */
const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

let slack: FakeSlack;
beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(async () => {
  await slack.close();
});
afterEach(() => {
  slack.reset();
});

/** A real WebClient pointed at the fake; `token: null` for one without a token. */
function client(options: WebClientOptions = {}, token: string | null = TOKEN): webApi.WebClient {
  return new WebClient(token ?? undefined, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, logger: silentLogger, ...options });
}

/** The `data` of a WebAPIPlatformError (`{ ok: false, error }`), or a failure when something else was thrown. */
async function platformError(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    expect(error).toMatchObject({ code: ErrorCode.PlatformError });
    return (error as { data: Record<string, unknown> }).data;
  }
  throw new Error('expected the call to fail');
}

const section = (text: string): Record<string, unknown> => ({ type: 'section', text: { type: 'mrkdwn', text } });
/** The same, typed for WebClient's arguments. */
const sectionBlock = (text: string): types.SectionBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });

/** POST like Bolt's respond(): JSON, Content-Type application/json. */
async function postToResponseUrl(url: string, message: Record<string, unknown>): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(message) });
  return { status: response.status, body: await response.text() };
}

describe('fake Slack Web API, through the real WebClient', () => {
  it('serves the Web API under apiUrl, the form WebClient expects', () => {
    expect(slack.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
  });

  it('records chat.postMessage with the token and the blocks decoded back into objects', async () => {
    const blocks: types.KnownBlock[] = [sectionBlock('*Snapshot* 3h ago'), { type: 'divider' }];
    const first = await client().chat.postMessage({ channel: 'C123', text: 'Restore points', blocks, unfurl_links: false });
    const second = await client().chat.postMessage({ channel: 'C123', text: 'again' });

    expect(first).toMatchObject({ ok: true, channel: 'C123', message: { text: 'Restore points', blocks } });
    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));

    const [call] = slack.callsTo('chat.postMessage');
    expect(call).toMatchObject({
      method: 'chat.postMessage',
      token: TOKEN,
      contentType: 'application/x-www-form-urlencoded',
      body: { channel: 'C123', text: 'Restore points', blocks, unfurl_links: 'false' },
      status: 200,
    });
    expect(call?.raw).toContain('blocks=%5B%7B'); // form-encoded, blocks as a JSON string
    expect(call?.at).toBeGreaterThan(0);
    expect(slack.calls).toHaveLength(2);
  });

  it('answers auth.test as the bot, and not_authed without a token', async () => {
    await expect(client().auth.test()).resolves.toMatchObject({
      ok: true,
      user_id: 'UBOT',
      bot_id: 'BBOT',
      team: 'Test team',
      user: 'restorepoints',
    });
    expect(await platformError(client({}, null).auth.test())).toMatchObject({ error: 'not_authed' });
    expect(slack.calls.map((c) => c.token)).toEqual([TOKEN, null]);
  });

  it('decodes JSON bodies too', async () => {
    const response = await fetch(`${slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8', Authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ channel: 'C1', text: 'hi', blocks: [section('hi')] }),
    });
    expect(await response.json()).toMatchObject({ ok: true });
    expect(slack.calls[0]).toMatchObject({ token: TOKEN, body: { channel: 'C1', blocks: [section('hi')] } });
  });

  it('lets WebClient retry after a scripted 429 with Retry-After', async () => {
    slack.script('chat.postMessage', { status: 429, headers: { 'Retry-After': '1' } });
    const web = client({ retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 } });
    const rateLimited: number[] = [];
    web.on(WebClientEvent.RATE_LIMITED, (seconds: number) => rateLimited.push(seconds));

    const started = Date.now();
    const result = await web.chat.postMessage({ channel: 'C1', text: 'digest' });

    expect(result.ok).toBe(true);
    expect(rateLimited).toEqual([1]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(slack.callsTo('chat.postMessage').map((c) => c.status)).toEqual([429, 200]);
    expect(slack.calls[0]?.response).toEqual({ ok: false, error: 'ratelimited' });
  });

  it('lets rejectRateLimitedCalls surface a 429 at once', async () => {
    slack.script('chat.postMessage', { status: 429, headers: { 'Retry-After': '1' } });
    await expect(client({ rejectRateLimitedCalls: true }).chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({
      code: ErrorCode.RateLimitedError,
      retryAfter: 1,
    });
  });

  it('queues scripted answers per method, then falls back to the default', async () => {
    slack.script('chat.postMessage', { body: { ok: false, error: 'not_in_channel' } }, { body: { ok: false, error: 'is_archived' } });
    const web = client();
    expect(await platformError(web.chat.postMessage({ channel: 'C1', text: 'a' }))).toMatchObject({ error: 'not_in_channel' });
    await expect(web.auth.test()).resolves.toMatchObject({ ok: true }); // other methods unaffected
    expect(await platformError(web.chat.postMessage({ channel: 'C1', text: 'b' }))).toMatchObject({ error: 'is_archived' });
    await expect(web.chat.postMessage({ channel: 'C1', text: 'c' })).resolves.toMatchObject({ ok: true });
  });

  it('delays a scripted answer (a client timeout), and can hang up', async () => {
    slack.script('auth.test', { delayMs: 300 }, { hangUp: true });
    await expect(client({ timeout: 50 }).auth.test()).rejects.toMatchObject({ code: ErrorCode.RequestError });
    await expect(client().auth.test()).rejects.toMatchObject({ code: ErrorCode.RequestError });
    expect(slack.callsTo('auth.test').map((c) => c.status)).toEqual([200, 0]);
  });

  it('answers an HTTP error status as WebClient sees it', async () => {
    slack.script('chat.postMessage', { status: 503, body: 'upstream unavailable' });
    await expect(client().chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({
      code: ErrorCode.HTTPError,
      statusCode: 503,
    });
  });

  it('overrides a default answer for every call with setDefault', async () => {
    slack.setDefault('auth.test', { body: { ok: false, error: 'invalid_auth' } });
    expect(await platformError(client().auth.test())).toMatchObject({ error: 'invalid_auth' });
    expect(await platformError(client().auth.test())).toMatchObject({ error: 'invalid_auth' });
    slack.setDefault('auth.test', null);
    await expect(client().auth.test()).resolves.toMatchObject({ ok: true });
  });

  it('answers channel_not_found for an unknown channel, a private one the bot is not in, or no channel', async () => {
    slack.setChannel('CGONE', { exists: false });
    slack.setChannel('GSECRET', { isPrivate: true, isMember: false });
    const web = client();
    for (const channel of ['CGONE', 'GSECRET', '']) {
      expect(await platformError(web.chat.postMessage({ channel, text: 'x' }))).toMatchObject({ error: 'channel_not_found' });
    }
    expect(await platformError(web.conversations.info({ channel: 'CGONE' }))).toMatchObject({ error: 'channel_not_found' });
    expect(await platformError(web.conversations.info({ channel: 'GSECRET' }))).toMatchObject({ error: 'channel_not_found' });
  });

  it('posts to a public channel the bot has not joined (chat:write.public) and describes channels', async () => {
    slack.setChannel('COPEN', { isMember: false, name: 'backups' });
    const web = client();
    await expect(web.chat.postMessage({ channel: 'COPEN', text: 'x' })).resolves.toMatchObject({ ok: true });
    await expect(web.conversations.info({ channel: 'COPEN' })).resolves.toMatchObject({
      channel: { id: 'COPEN', name: 'backups', is_member: false, is_private: false },
    });
    await expect(web.conversations.info({ channel: 'CANY' })).resolves.toMatchObject({ channel: { is_member: true } });
  });

  it('answers invalid_blocks for a 51-block message, listing why', async () => {
    const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    const data = await platformError(client().chat.postMessage({ channel: 'C1', text: 'too many', blocks }));
    expect(data.error).toBe('invalid_blocks');
    expect(data.errors).toEqual([expect.stringContaining('51 blocks')]);
    expect(slack.callsTo('chat.postMessage')[0]?.status).toBe(200);
  });

  it('answers invalid_blocks for a raw <!channel> and no_text for an empty message', async () => {
    const web = client();
    const data = await platformError(web.chat.postMessage({ channel: 'C1', text: 'vm <!channel> is stale' }));
    expect(data).toMatchObject({ error: 'invalid_blocks' });
    expect(await platformError(web.chat.postMessage({ channel: 'C1', text: '' }))).toMatchObject({ error: 'no_text' });
  });

  it('validates chat.postEphemeral and chat.update too', async () => {
    const web = client();
    await expect(web.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'only you' })).resolves.toMatchObject({
      ok: true,
      message_ts: expect.stringMatching(/^\d+\.\d{6}$/),
    });
    const tooLong = [sectionBlock('x'.repeat(3001))];
    expect(await platformError(web.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 't', blocks: tooLong }))).toMatchObject({
      error: 'invalid_blocks',
    });
    expect(await platformError(web.chat.update({ channel: 'C1', ts: '1.2', text: 't', blocks: tooLong }))).toMatchObject({
      error: 'invalid_blocks',
    });
  });

  it('answers users.info with the configured time zone (UTC by default)', async () => {
    slack.setUserTimeZone('UBERLIN', 'Europe/Berlin');
    slack.setUserTimeZone('UKOLKATA', 'Asia/Kolkata');
    const web = client();
    const berlin = await web.users.info({ user: 'UBERLIN' });
    expect(berlin.user).toMatchObject({ id: 'UBERLIN', tz: 'Europe/Berlin' });
    expect([3600, 7200]).toContain(berlin.user?.tz_offset);
    await expect(web.users.info({ user: 'UKOLKATA' })).resolves.toMatchObject({ user: { tz: 'Asia/Kolkata', tz_offset: 19800 } });
    await expect(web.users.info({ user: 'USOMEONE' })).resolves.toMatchObject({ user: { tz: 'UTC', tz_offset: 0 } });
    expect(() => slack.setUserTimeZone('U1', 'Mars/Olympus')).toThrow(RangeError);
  });

  it('answers { ok: true } to any other method', async () => {
    await expect(client().apiCall('reactions.add', { channel: 'C1', name: 'white_check_mark', timestamp: '1.2' })).resolves.toMatchObject({
      ok: true,
    });
    expect(slack.callsTo('reactions.add')[0]?.body).toMatchObject({ name: 'white_check_mark' });
  });
});

describe('fake response_urls', () => {
  it('records JSON posts and allows five uses, then answers 404 expired_url', async () => {
    const url = slack.responseUrl('query');
    expect(url.startsWith(slack.apiUrl.replace(/api\/$/, ''))).toBe(true);
    expect(slack.responseUrl('query')).not.toBe(url);

    for (let i = 1; i <= MAX_RESPONSE_URL_USES; i += 1) {
      expect(await postToResponseUrl(url, { text: `answer ${i}`, response_type: 'ephemeral' })).toEqual({ status: 200, body: 'ok' });
    }
    expect(await postToResponseUrl(url, { text: 'sixth' })).toEqual({ status: 404, body: 'expired_url' });

    expect(slack.responses).toHaveLength(6);
    expect(slack.responses[0]).toMatchObject({ url, body: { text: 'answer 1', response_type: 'ephemeral' }, status: 200 });
    expect(slack.responses[5]).toMatchObject({ status: 404, answer: 'expired_url' });
  });

  it('answers 404 expired_url once expired', async () => {
    const url = slack.responseUrl();
    expect((await postToResponseUrl(url, { text: 'first' })).status).toBe(200);
    slack.expireResponseUrl(url);
    expect(await postToResponseUrl(url, { text: 'late' })).toEqual({ status: 404, body: 'expired_url' });
  });

  it('rejects messages that break the limits, and URLs it never issued', async () => {
    const url = slack.responseUrl();
    const blocks = [section('<!here> look')];
    expect(await postToResponseUrl(url, { text: 'x', blocks })).toEqual({ status: 400, body: 'invalid_blocks' });
    expect(await postToResponseUrl(url, { response_type: 'ephemeral' })).toEqual({ status: 400, body: 'no_text' });
    expect(await postToResponseUrl(url, { delete_original: true })).toEqual({ status: 200, body: 'ok' });
    const stranger = `${slack.apiUrl.replace(/api\/$/, '')}commands/T0TEST/1/never-issued`;
    expect((await postToResponseUrl(stranger, { text: 'x' })).status).toBe(404);
  });

  it('can script a response_url answer', async () => {
    const url = slack.responseUrl();
    slack.script(url, { status: 500, body: 'boom' });
    expect(await postToResponseUrl(url, { text: 'x' })).toEqual({ status: 500, body: 'boom' });
    expect(await postToResponseUrl(url, { text: 'x' })).toEqual({ status: 200, body: 'ok' });
  });
});

describe('waitFor and reset', () => {
  it('waits until the predicate holds (a throwing predicate means "not yet")', async () => {
    setTimeout(() => void client().chat.postMessage({ channel: 'C1', text: 'later' }), 50);
    await slack.waitFor(() => slack.callsTo('chat.postMessage').length === 1);
    await slack.waitFor(() => {
      expect(slack.calls[0]?.body.text).toBe('later');
    });
  });

  it('rejects on timeout with what was received so far', async () => {
    await client().auth.test();
    const failure = slack.waitFor(() => slack.callsTo('chat.postMessage').length > 0, 100);
    await expect(failure).rejects.toThrow(/not met within 100 ms: .*chat\.postMessage[\s\S]*auth\.test×1/);
  });

  it('forgets calls, scripts and settings on reset', async () => {
    slack.script('auth.test', { body: { ok: false, error: 'invalid_auth' } });
    slack.setChannel('CGONE', { exists: false });
    const url = slack.responseUrl();
    await postToResponseUrl(url, { text: 'x' });
    await client().chat.postMessage({ channel: 'C1', text: 'x' });
    slack.reset();
    expect(slack.calls).toEqual([]);
    expect(slack.responses).toEqual([]);
    await expect(client().auth.test()).resolves.toMatchObject({ ok: true });
    await expect(client().chat.postMessage({ channel: 'CGONE', text: 'x' })).resolves.toMatchObject({ ok: true });
    expect(() => slack.expireResponseUrl(url)).toThrow(/not issued/);
  });
});

describe('slack-signing', () => {
  // The example from Slack's "Verifying requests from Slack" documentation.
  it('signs like Slack: v0=HMAC-SHA256(secret, "v0:ts:body")', () => {
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(signSlackRequest('8f742231b10e8888abcd99yyyzzz85a5', body, 1531420618)).toEqual({
      'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
      'x-slack-request-timestamp': '1531420618',
    });
  });

  it('produces signatures Bolt accepts, and that a changed body breaks', () => {
    const body = slashCommandBody({ text: 'vm-sql before 3h', response_url: 'http://127.0.0.1/x' });
    const headers = signSlackRequest(SECRET, body);
    const verify = (b: string): boolean =>
      isValidSlackRequest({
        signingSecret: SECRET,
        body: b,
        headers: { 'x-slack-signature': headers['x-slack-signature'], 'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']) },
      });
    expect(verify(body)).toBe(true);
    expect(verify(`${body}&x=1`)).toBe(false);
  });

  it('builds the bodies Slack sends', () => {
    const command = new URLSearchParams(slashCommandBody({ text: 'stale & <b>', response_url: 'https://hooks.example/r', user_id: 'U9' }));
    expect(Object.fromEntries(command)).toMatchObject({
      command: '/restorepoints',
      text: 'stale & <b>',
      user_id: 'U9',
      channel_id: expect.any(String),
      team_id: expect.any(String),
      response_url: 'https://hooks.example/r',
      trigger_id: expect.any(String),
    });

    const event = JSON.parse(eventCallbackBody({ type: 'app_mention', text: '<@UBOT> stale' }, { eventId: 'Ev1' })) as Record<string, unknown>;
    expect(event).toMatchObject({ type: 'event_callback', event_id: 'Ev1', event: { type: 'app_mention', text: '<@UBOT> stale' } });
    const another = JSON.parse(eventCallbackBody({ type: 'app_mention' })) as Record<string, unknown>;
    const yetAnother = JSON.parse(eventCallbackBody({ type: 'app_mention' })) as Record<string, unknown>;
    expect(another.event_id).not.toBe(yetAnother.event_id);

    const actions = blockActionsBody({ actions: [{ action_id: 'session', value: '37' }], response_url: 'https://hooks.example/a' });
    expect(actions.startsWith('payload=')).toBe(true);
    const payload = JSON.parse(new URLSearchParams(actions).get('payload') ?? '') as Record<string, unknown>;
    expect(payload).toMatchObject({ type: 'block_actions', actions: [{ action_id: 'session' }], response_url: 'https://hooks.example/a' });
  });
});

describe('the support code together with a real Bolt app on its HTTP receiver', () => {
  let app: App;
  let server: Server;
  let eventsUrl: string;

  beforeAll(async () => {
    app = new App({
      token: TOKEN,
      signingSecret: SECRET,
      logger: silentLogger,
      clientOptions: { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } },
    });
    app.command('/restorepoints', async ({ ack, respond, command }) => {
      await ack();
      try {
        await respond({ text: `You asked: ${command.text}` });
      } catch (error) {
        if (!(error instanceof RespondError)) throw error;
        await app.client.chat.postMessage({ channel: command.channel_id, text: `You asked: ${command.text} (fallback)` });
      }
    });
    app.event('app_mention', async ({ event, say }) => {
      await say({ text: 'Looking…', thread_ts: event.ts });
    });
    app.action('session', async ({ ack, respond }) => {
      await ack();
      await respond({ text: 'Session 37: Success', replace_original: false });
    });
    server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
    eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });

  afterAll(async () => {
    const stopped = app.stop();
    server.closeAllConnections();
    await stopped;
  });

  it('acks a signed slash command and answers on the response_url', async () => {
    const responseUrl = slack.responseUrl('cmd');
    const body = slashCommandBody({ text: 'vm-sql', response_url: responseUrl });
    const sent = Date.now();
    const result = await postSigned(eventsUrl, body, 'application/x-www-form-urlencoded', { secret: SECRET });
    expect(result.status).toBe(200);
    expect(result.receivedAt - sent).toBeLessThan(3000);
    await slack.waitFor(() => slack.responses.length === 1);
    expect(slack.responses[0]).toMatchObject({ url: responseUrl, body: { text: 'You asked: vm-sql' }, status: 200 });
  });

  it('falls back to chat.postMessage when the response_url has expired', async () => {
    const responseUrl = slack.responseUrl('expired');
    slack.expireResponseUrl(responseUrl);
    const body = slashCommandBody({ text: 'stale', response_url: responseUrl, channel_id: 'CINCIDENT' });
    expect((await postSigned(eventsUrl, body, 'application/x-www-form-urlencoded', { secret: SECRET })).status).toBe(200);
    await slack.waitFor(() => slack.callsTo('chat.postMessage').length === 1);
    expect(slack.callsTo('chat.postMessage')[0]?.body).toMatchObject({ channel: 'CINCIDENT', text: 'You asked: stale (fallback)' });
  });

  it('rejects a bad signature and a stale timestamp with 401', async () => {
    const body = slashCommandBody({ text: 'x', response_url: slack.responseUrl() });
    const forged = await postSigned(eventsUrl, body, 'application/x-www-form-urlencoded', { secret: 'not-the-secret' });
    expect(forged.status).toBe(401);
    const old = Math.floor(Date.now() / 1000) - 6 * 60;
    const replayed = await postSigned(eventsUrl, body, 'application/x-www-form-urlencoded', { secret: SECRET, timestampSeconds: old });
    expect(replayed.status).toBe(401);
    expect(slack.responses).toHaveLength(0);
  });

  it('delivers an app_mention event_callback, answered in the thread', async () => {
    const body = eventCallbackBody({
      type: 'app_mention',
      user: 'U0TESTUSER',
      text: '<@UBOT> stale',
      ts: '1764150000.123456',
      channel: 'CINCIDENT',
      event_ts: '1764150000.123456',
    });
    expect((await postSigned(eventsUrl, body, 'application/json', { secret: SECRET })).status).toBe(200);
    await slack.waitFor(() => slack.callsTo('chat.postMessage').length === 1);
    expect(slack.callsTo('chat.postMessage')[0]).toMatchObject({
      token: TOKEN,
      body: { channel: 'CINCIDENT', thread_ts: '1764150000.123456', text: 'Looking…' },
    });
  });

  it('delivers a block_actions payload', async () => {
    const responseUrl = slack.responseUrl('action');
    const body = blockActionsBody({
      actions: [{ type: 'button', action_id: 'session', block_id: 'b1', value: '37', action_ts: '1764150000.2' }],
      response_url: responseUrl,
      channel: { id: 'C1', name: 'backups' },
      container: { type: 'message', message_ts: '1764150000.000100', channel_id: 'C1', is_ephemeral: false },
    });
    expect((await postSigned(eventsUrl, body, 'application/x-www-form-urlencoded', { secret: SECRET })).status).toBe(200);
    await slack.waitFor(() => slack.responses.length === 1);
    expect(slack.responses[0]?.body).toMatchObject({ text: 'Session 37: Success' });
  });
});

// ---- the checker ----

type Message = { text?: unknown; blocks: Record<string, unknown>[] };

function validMessage(): Message {
  return {
    text: 'Restore points: 5 points, 1 stale',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'Restore points · westeurope' } },
      section('*Snapshot* :white_check_mark: latest <!date^1764151200^{date_short_pretty} {time}|2026-11-26 10:00 UTC>, 127 GiB'),
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*Size*\n127 GiB' },
          { type: 'mrkdwn', text: '*Points*\n5' },
        ],
        accessory: { type: 'button', text: { type: 'plain_text', text: 'Session 37' }, action_id: 'session-acc', value: '37' },
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Stale after: Snapshot 26h · &lt;!channel&gt; is escaped' }] },
      { type: 'divider' },
      {
        type: 'actions',
        block_id: 'sessions',
        elements: [
          { type: 'button', text: { type: 'plain_text', text: 'Session 37' }, action_id: 'session-37', value: '37' },
          { type: 'button', text: { type: 'plain_text', text: 'Open' }, action_id: 'open', url: 'https://vba.example.com/#/sessions/37' },
        ],
      },
      { type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'vm-sql-01' }] }] },
      { type: 'image', image_url: 'https://example.com/chart.png', alt_text: 'ages' },
    ],
  };
}

function withBlock(block: Record<string, unknown>, text: unknown = 'fallback'): SlackMessageLike {
  return { text, blocks: [block] };
}

describe('slackLimitViolations', () => {
  it('passes a valid message, date tokens included', () => {
    expect(slackLimitViolations(validMessage())).toEqual([]);
    expect(() => expectWithinSlackLimits(validMessage())).not.toThrow();
    expect(slackLimitViolations({ text: 'just text' })).toEqual([]);
    expect(slackLimitViolations({ text: 'at <!date^1764151200^{date_short_pretty}|2026-11-26>' })).toEqual([]);
    expect(slackLimitViolations({ text: 'at <!date^1764151200^{date} {time}^https://example.com|26 Nov>' })).toEqual([]);
  });

  const many = (n: number, make: (i: number) => Record<string, unknown>): Record<string, unknown>[] => Array.from({ length: n }, (_, i) => make(i));
  const button = (i: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    type: 'button',
    text: { type: 'plain_text', text: `b${i}` },
    action_id: `a${i}`,
    ...extra,
  });
  const mrkdwn = (text: string): Record<string, unknown> => ({ type: 'mrkdwn', text });

  it.each<[string, SlackMessageLike, RegExp]>([
    ['missing text', { blocks: [{ type: 'divider' }] }, /^text: a top-level text is required/],
    ['empty text', { text: '  ' }, /^text: must not be empty/],
    ['text not a string', { text: 42 }, /^text: must be a string/],
    ['text over 40,000', { text: 'x'.repeat(40_001) }, /^text: top-level text is 40001 characters; the limit is 40000/],
    ['blocks not an array', { text: 't', blocks: {} }, /^blocks: must be an array/],
    ['51 blocks', { text: 't', blocks: many(51, () => ({ type: 'divider' })) }, /^blocks: 51 blocks; the limit is 50/],
    ['unknown block type', withBlock({ type: 'input' }), /blocks\[0\]\.type: unknown block type "input"/],
    ['block not an object', { text: 't', blocks: ['divider'] }, /blocks\[0\]: a block object is required/],
    ['header not plain_text', withBlock({ type: 'header', text: mrkdwn('*h*') }), /\(header\)\.text\.type: must be plain_text/],
    ['header over 150', withBlock({ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }), /header\)\.text\.text: text is 151 characters; the limit is 150/],
    ['text object over 3000', withBlock(section('s'.repeat(3001))), /\(section\)\.text\.text: text is 3001 characters; the limit is 3000/],
    ['text object of an unknown type', withBlock({ type: 'section', text: { type: 'markdown', text: 'x' } }), /\.text\.type: must be plain_text or mrkdwn/],
    ['empty text object', withBlock(section('')), /\.text\.text: must not be empty/],
    ['section without text or fields', withBlock({ type: 'section' }), /\(section\): a section needs text or fields/],
    ['11 section fields', withBlock({ type: 'section', fields: many(11, (i) => mrkdwn(`f${i}`)) }), /\.fields: 11 fields; the limit is 10/],
    ['section field over 2000', withBlock({ type: 'section', fields: [mrkdwn('f'.repeat(2001))] }), /\.fields\[0\]\.text: text is 2001 characters; the limit is 2000/],
    ['11 context elements', withBlock({ type: 'context', elements: many(11, (i) => mrkdwn(`c${i}`)) }), /\(context\)\.elements: 11 elements; the limit is 10/],
    ['26 actions elements', withBlock({ type: 'actions', elements: many(26, (i) => button(i)) }), /\(actions\)\.elements: 26 elements; the limit is 25/],
    ['unknown element type', withBlock({ type: 'actions', elements: [{ type: 'magic' }] }), /elements\[0\]\.type: unknown element type "magic"/],
    ['button text not plain_text', withBlock({ type: 'actions', elements: [button(0, { text: mrkdwn('b') })] }), /elements\[0\]\.text\.type: must be plain_text/],
    ['button text over 75', withBlock({ type: 'actions', elements: [button(0, { text: { type: 'plain_text', text: 'b'.repeat(76) } })] }), /text is 76 characters; the limit is 75/],
    ['button value over 2000', withBlock({ type: 'actions', elements: [button(0, { value: 'v'.repeat(2001) })] }), /\.value: button value is 2001 characters; the limit is 2000/],
    ['button url over 3000', withBlock({ type: 'actions', elements: [button(0, { url: `https://x/${'u'.repeat(2991)}` })] }), /\.url: button url is 3001 characters; the limit is 3000/],
    ['action_id over 255', withBlock({ type: 'actions', elements: [button(0, { action_id: 'a'.repeat(256) })] }), /\.action_id: action_id is 256 characters; the limit is 255/],
    [
      'duplicate action_id across blocks',
      { text: 't', blocks: [{ type: 'actions', elements: [button(0)] }, { type: 'actions', elements: [button(0)] }] },
      /blocks\[1\] \(actions\)\.elements\[0\]\.action_id: "a0" is also used at blocks\[0\]/,
    ],
    ['block_id over 255', withBlock({ type: 'divider', block_id: 'b'.repeat(256) }), /\.block_id: block_id is 256 characters; the limit is 255/],
    [
      'duplicate block_id',
      { text: 't', blocks: [{ type: 'divider', block_id: 'x' }, { type: 'divider', block_id: 'x' }] },
      /blocks\[1\] \(divider\)\.block_id: "x" is also used at blocks\[0\]/,
    ],
    ['image without alt_text', withBlock({ type: 'image', image_url: 'https://x/y.png' }), /\.alt_text: a non-empty string is required/],
    ['over the 10,000-character budget', { text: 't', blocks: many(4, () => section('x'.repeat(2600))) }, /^blocks: 10400 characters of text in all; the budget is 10000/],
    ['raw <!channel> in top-level text', { text: 'vm <!channel>' }, /^text: raw special mention "<!"/],
    ['raw <!here> in a section', withBlock(section('<!here> vm')), /^blocks\[0\]\.text\.text: raw special mention "<!"/],
    ['raw <!everyone> in a context', withBlock({ type: 'context', elements: [mrkdwn('x <!everyone>')] }), /elements\[0\]\.text: raw special mention/],
    ['raw <!subteam^…> in a field', withBlock({ type: 'section', fields: [mrkdwn('<!subteam^S123|@ops>')] }), /fields\[0\]\.text: raw special mention/],
    ['raw <@U…> in a header', withBlock({ type: 'header', text: { type: 'plain_text', text: 'hi <@U123>' } }), /raw user mention "<@"/],
    ['a date token smuggling a mention', { text: 'at <!date^1^{date}|<!channel>>' }, /raw special mention/],
    ['a malformed date token', { text: 'at <!date^soon|x>' }, /raw special mention/],
    ['a rich_text broadcast', withBlock({ type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'broadcast', range: 'channel' }] }] }), /broadcast element pings "channel"/],
  ])('flags %s', (_name, message, expected) => {
    const violations = slackLimitViolations(message);
    expect(violations.some((v) => expected.test(v)), `violations: ${JSON.stringify(violations, null, 1)}`).toBe(true);
  });

  it('reports every violation at once, and expectWithinSlackLimits throws them all', () => {
    const message = validMessage();
    message.text = '';
    message.blocks.push({ type: 'section', text: mrkdwn('<!channel>') }, { type: 'mystery' });
    const violations = slackLimitViolations(message);
    expect(violations).toHaveLength(3);
    let thrown: unknown;
    try {
      expectWithinSlackLimits(message);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SlackLimitsError);
    expect((thrown as Error).message).toContain('text: must not be empty');
    expect((thrown as Error).message).toContain('unknown block type "mystery"');
    expect((thrown as SlackLimitsError).violations).toEqual(violations);
  });
});
