/**
 * The real Bolt app in Socket Mode: apps.connections.open on the fake Slack (with the app-level
 * token), a websocket to the fake Socket Mode endpoint, envelopes acked over the socket, answers
 * through response_url and chat.postMessage, and the embedded simulator as the appliance.
 * The Socket Mode mirror of slack-app.test.ts (HTTP mode).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/load.ts';
import type { SocketModeTimings } from '../../src/slack/app.ts';
import { demoDataset } from '../../src/simulator/dataset.ts';
import { DEFAULT_SIM_USER, startSimulator, type Simulator } from '../../src/simulator/server.ts';
import { applianceFor, BOT_TOKEN, startTestBot, testConfig, type RunningTestBot } from '../support/bot.ts';
import { spawnServe } from '../support/cli.ts';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import {
  eventsApiEnvelope,
  interactiveEnvelope,
  newEnvelopeId,
  slashCommandEnvelope,
  startFakeSocketMode,
  type FakeSocketMode,
  type SocketModeAck,
} from '../support/fake-socket-mode.ts';
import { expectWithinSlackLimits } from '../support/slack-limits.ts';
import { TEST_CHANNEL_ID, TEST_USER_ID } from '../support/slack-signing.ts';
import { closedPort } from '../support/veeam.ts';

const APP_TOKEN = 'xapp-test-socket-mode-token';
/** Quick retries of apps.connections.open; reconnection 2 s after a drop; pings every ~0.7 s. */
const FAST: SocketModeTimings = { connectRetry: { retries: 2, minTimeoutMs: 50 }, clientPingTimeoutMs: 2000, closeTimeoutMs: 1000 };

type Blocks = Array<Record<string, unknown>>;
interface Answer {
  text: string;
  blocks: Blocks;
  response_type?: string;
  replace_original?: boolean;
}
const textOf = (message: unknown) => JSON.stringify(message);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The HTTP-mode test config, switched to Socket Mode: an app-level token and no signing secret. */
function socketConfig(slack: FakeSlack, simulator: Simulator, port = 0): Config {
  const config = testConfig(slack, [applianceFor(simulator)], { port });
  return { ...config, slack: { ...config.slack, signingSecret: null, appToken: APP_TOKEN } };
}

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(3000) });
  return { status: response.status, body: await response.text() };
}

let slack: FakeSlack;
let socket: FakeSocketMode;
let simulator: Simulator;
let running: RunningTestBot;

beforeAll(async () => {
  slack = await startFakeSlack();
  socket = await startFakeSocketMode(slack);
  simulator = await startSimulator({ dataset: demoDataset({ now: Date.now() }) });
  running = await startTestBot(socketConfig(slack, simulator), { socketMode: FAST });
});
afterAll(async () => {
  await running?.stop();
  await socket?.close();
  await simulator?.close();
  await slack?.close();
});
afterEach(() => {
  simulator.faults.latencyMs = 0;
  expect(socket.protocolErrors).toEqual([]);
});

/** `/restorepoints text` over the socket: the ack, then the answer on its response_url. */
async function command(text: string): Promise<{ ack: SocketModeAck; answer: Answer; at: number; responseUrl: string }> {
  const responseUrl = slack.responseUrl(text || 'empty');
  const ack = await socket.send(slashCommandEnvelope({ text, response_url: responseUrl }));
  await slack.waitFor(() => slack.responses.some((post) => post.url === responseUrl && post.status === 200), 8000, `an answer to "${text}"`);
  const post = slack.responses.find((candidate) => candidate.url === responseUrl && candidate.status === 200)!;
  expectWithinSlackLimits(post.body);
  return { ack, answer: post.body as unknown as Answer, at: post.at, responseUrl };
}

describe('connecting', () => {
  it('opens the connection with the app-level token, serves /healthz before hello, and is ready once connected', async () => {
    const ownSlack = await startFakeSlack();
    const ownSocket = await startFakeSocketMode(ownSlack, { holdHello: true });
    // Slack has a bad moment: the first apps.connections.open fails and is retried.
    ownSlack.script('apps.connections.open', { status: 503, body: 'upstream connect error' });
    const port = await closedPort();
    const starting = startTestBot(socketConfig(ownSlack, simulator, port), { socketMode: FAST });
    try {
      await ownSocket.waitFor(() => ownSocket.connections === 1, 5000, 'a websocket connection');
      const opens = ownSlack.callsTo('apps.connections.open');
      expect(opens.map((call) => [call.status, call.token])).toEqual([
        [503, APP_TOKEN],
        [200, APP_TOKEN],
      ]);
      // The app-level token is for apps.connections.open only; the bot token never goes there.
      expect(ownSlack.calls.filter((call) => call.token === APP_TOKEN).map((call) => call.method)).toEqual(['apps.connections.open', 'apps.connections.open']);

      // Connected, but Slack has not said hello: alive, not ready.
      expect(await get(port, '/healthz')).toEqual({ status: 200, body: 'ok\n' });
      const early = await get(port, '/readyz');
      expect(early.status).toBe(503);
      expect(early.body).toMatch(/^slack: starting$/m);

      ownSocket.hello();
      const bot = await starting;
      expect(bot.bot.port).toBe(port);
      expect(bot.bot.slack.mode).toBe('socket');
      expect(bot.bot.slack.connected()).toBe(true);
      expect(await get(port, '/readyz')).toEqual({ status: 200, body: 'ready\n' });
      // No HTTP endpoint for Slack in Socket Mode.
      expect((await get(port, '/slack/events')).status).toBe(404);
      expect(ownSocket.refused).toEqual([]);
    } finally {
      ownSocket.hello();
      await starting.then((bot) => bot.stop(), () => undefined);
      await ownSocket.close();
      await ownSlack.close();
    }
  });
});

describe('/restorepoints over the socket', () => {
  it('acks over the socket before the appliance answers, then answers through response_url', async () => {
    simulator.faults.latencyMs = 400;
    const requestsBefore = simulator.stats.requests;
    const responseUrl = slack.responseUrl('socket-slow');
    const ack = await socket.send(slashCommandEnvelope({ text: '', response_url: responseUrl }));
    // A bare ack (the answer goes through response_url), well within Slack's 3 s.
    expect(ack.payload).toEqual({});
    expect(ack.at - ack.sentAt).toBeLessThan(400);
    expect(slack.responses.filter((post) => post.url === responseUrl)).toHaveLength(0);

    await slack.waitFor(() => slack.responses.some((post) => post.url === responseUrl), 8000, 'the slow answer');
    const post = slack.responses.find((candidate) => candidate.url === responseUrl)!;
    expect(post.status).toBe(200);
    expect(post.at).toBeGreaterThan(ack.at);
    expect(simulator.stats.requests).toBeGreaterThan(requestsBefore);
    expectWithinSlackLimits(post.body);
    const answer = post.body as unknown as Answer;
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toMatch(/stale workload/);
    expect(textOf(answer)).toContain('*weu*');
    // One ack for the envelope, nothing else sent back for it.
    expect(socket.acks.filter((candidate) => candidate.envelope_id === ack.envelope_id)).toHaveLength(1);
  });

  it('answers a workload name, shared in the channel when asked', async () => {
    const { answer } = await command('share VM-ERP');
    expect(answer.response_type).toBe('in_channel');
    expect(answer.text).toMatch(/^2 workloads match `VM-ERP`/);
    expect(textOf(answer)).toContain('vm-erp-01');
  });
});

describe('@restorepoints over the socket', () => {
  it('answers in the thread via chat.postMessage, once, when Slack redelivers the event', async () => {
    const event = { type: 'app_mention', user: TEST_USER_ID, text: '<@UBOT> stale', ts: '1764150100.000200', thread_ts: '1764150000.000100', channel: 'CSOCKET1', event_ts: '1764150100.000200' };
    const first = eventsApiEnvelope(event, { eventId: 'Ev0SOCKET1' });
    // Slack redelivers with the same event (and event_id) in a new envelope.
    const redelivery = { ...first, envelope_id: newEnvelopeId(), retry_attempt: 1, retry_reason: 'timeout' };
    const acks = [await socket.send(first), await socket.send(redelivery)];
    expect(acks[0]!.envelope_id).not.toBe(acks[1]!.envelope_id);
    expect(acks.map((ack) => ack.payload)).toEqual([{}, {}]);

    await slack.waitFor(() => slack.callsTo('chat.postMessage').some((call) => call.body['channel'] === 'CSOCKET1'), 8000, 'the answer in the thread');
    await sleep(300);
    const posts = slack.callsTo('chat.postMessage').filter((call) => call.body['channel'] === 'CSOCKET1');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.token).toBe(BOT_TOKEN);
    expect(posts[0]!.status).toBe(200);
    expect(posts[0]!.body['thread_ts']).toBe('1764150000.000100');
    expect(textOf(posts[0]!.body)).toContain('vm-build-01');
    expectWithinSlackLimits(posts[0]!.body);
  });
});

describe('session buttons over the socket', () => {
  it('answers a block_actions click with the session, ephemeral, through response_url', async () => {
    const { answer } = await command('');
    // Issue 13: failure buttons come first now; this one opens the session that made a point.
    const button = answer.blocks
      .filter((block) => block['type'] === 'actions')
      .flatMap((block) => block['elements'] as Array<{ action_id: string; value: string; text: { text: string } }>)
      .find((candidate) => /^Snapshot session/.test(candidate.text.text))!;
    const responseUrl = slack.responseUrl('socket-click');
    const ack = await socket.send(
      interactiveEnvelope({
        response_url: responseUrl,
        channel: { id: TEST_CHANNEL_ID, name: 'ops' },
        container: { type: 'message', message_ts: '1764150000.000100', channel_id: TEST_CHANNEL_ID, is_ephemeral: true },
        actions: [{ type: 'button', action_id: button.action_id, block_id: 'b1', value: button.value, action_ts: '1764150001.000000', text: { type: 'plain_text', text: 'x' } }],
      }),
    );
    expect(ack.payload).toEqual({});
    await slack.waitFor(() => slack.responses.some((post) => post.url === responseUrl), 8000, 'the session details');
    const post = slack.responses.find((candidate) => candidate.url === responseUrl)!;
    expect(post.status).toBe(200);
    expectWithinSlackLimits(post.body);
    const reply = post.body as unknown as Answer;
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.replace_original).toBe(false);
    const flat = textOf(reply);
    expect(flat).toMatch(/✅ \*Success\* · /);
    expect(flat).toContain('Protected instances');
    expect(flat).toContain('*Duration*');
    expect(flat).toContain(simulator.url);
  });
});

describe('keeping the connection', () => {
  it('answers Slack’s pings and gets pongs for its own', async () => {
    await socket.ping();
    await socket.waitFor(() => socket.pingsReceived >= 2, 3000, 'the client to ping (every third of clientPingTimeout)');
    expect(socket.connections).toBe(1);
    expect(socket.closes).toEqual([]);
    expect(running.bot.slack.connected()).toBe(true);
  });

  it('on Slack’s disconnect: closes, is not ready meanwhile, reconnects with a new URL and answers again', async () => {
    const opensBefore = slack.callsTo('apps.connections.open').length;
    socket.disconnect('refresh_requested');
    await socket.waitFor(() => socket.closes.length === 1, 3000, 'the client to close the old connection');
    expect(socket.closes[0]).toMatchObject({ connection: 1, initiator: 'client', code: 1000, clean: true });

    // Until the client reconnects (2 s later here), /readyz says why it is not ready.
    expect(running.bot.slack.connected()).toBe(false);
    const down = await get(running.bot.port, '/readyz');
    expect(down.status).toBe(503);
    expect(down.body).toMatch(/^slack: not connected \(the Socket Mode connection is down; it reconnects by itself\)$/m);
    expect((await get(running.bot.port, '/healthz')).status).toBe(200);

    await socket.waitFor(() => socket.connections === 2 && running.bot.slack.connected(), 6000, 'a new connection and its hello');
    const opens = slack.callsTo('apps.connections.open');
    expect(opens).toHaveLength(opensBefore + 1);
    expect(opens.at(-1)!.token).toBe(APP_TOKEN);
    expect(socket.refused).toEqual([]);
    expect(await get(running.bot.port, '/readyz')).toEqual({ status: 200, body: 'ready\n' });

    const { ack, answer } = await command('help');
    expect(ack.connection).toBe(2);
    expect(textOf(answer)).toContain('How to ask');
  });
});

describe('stopping', () => {
  it('stop() closes the websocket (1000, a clean close handshake) and the health routes', async () => {
    const ownSlack = await startFakeSlack();
    const ownSocket = await startFakeSocketMode(ownSlack);
    const bot = await startTestBot(socketConfig(ownSlack, simulator), { socketMode: FAST });
    try {
      expect(ownSocket.open).toBe(1);
      const started = Date.now();
      await bot.stop();
      expect(Date.now() - started).toBeLessThan(1000);
      // The client destroys its socket once the close frames are exchanged; the fake sees the end a tick later.
      await ownSocket.waitFor(() => ownSocket.closes.length > 0, 500, 'the fake to see the connection end');
      expect(ownSocket.closes).toEqual([expect.objectContaining({ connection: 1, initiator: 'client', code: 1000, clean: true })]);
      expect(ownSocket.open).toBe(0);
      expect(bot.bot.slack.connected()).toBe(false);
      expect(await bot.bot.readiness()).toContain('slack: stopping');
      await expect(get(bot.bot.port, '/healthz')).rejects.toThrow();
      expect(ownSocket.protocolErrors).toEqual([]);
    } finally {
      await bot.stop();
      await ownSocket.close();
      await ownSlack.close();
    }
  });

  it('stop() drops a connection whose close frame Slack never answers, instead of waiting 30 s', async () => {
    const ownSlack = await startFakeSlack();
    const ownSocket = await startFakeSocketMode(ownSlack);
    const bot = await startTestBot(socketConfig(ownSlack, simulator), { socketMode: FAST });
    try {
      ownSocket.answerClose = false;
      const started = Date.now();
      await bot.stop();
      // closeTimeoutMs (1 s here), not the SDK's 30-second close-handshake timer.
      expect(Date.now() - started).toBeLessThan(2000);
      await ownSocket.waitFor(() => ownSocket.closes.length > 0, 500, 'the connection to be dropped');
      expect(ownSocket.closes).toEqual([expect.objectContaining({ initiator: 'client', code: 1000, clean: false })]);
      expect(ownSocket.open).toBe(0);
    } finally {
      await bot.stop();
      await ownSocket.close();
      await ownSlack.close();
    }
  });

  it('`serve` in Socket Mode exits by itself on SIGTERM: nothing is left holding the process', async () => {
    const ownSlack = await startFakeSlack();
    const ownSocket = await startFakeSocketMode(ownSlack);
    const port = await closedPort();
    const served = spawnServe({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_APP_TOKEN: APP_TOKEN,
      SLACK_API_URL: ownSlack.apiUrl,
      PORT: String(port),
      VEEAM_URL: simulator.url,
      VEEAM_USERNAME: DEFAULT_SIM_USER.username,
      VEEAM_PASSWORD: DEFAULT_SIM_USER.password,
      CACHE_TTL: '0s',
    });
    const { child, exited } = served;
    try {
      await ownSocket.waitFor(() => served.stderr().includes('"msg":"restorepoints is running"') || child.exitCode !== null, 10_000, `serve to start:\n${served.stderr()}`);
      expect(served.stderr()).toContain('"mode":"socket"');
      expect(ownSocket.connections).toBe(1);
      expect((await get(port, '/healthz')).status).toBe(200);

      const signalled = Date.now();
      child.kill('SIGTERM');
      const exit = await exited;
      expect(exit, served.stderr()).toMatchObject({ code: 0, signal: null });
      // The exit guard would end a held process 3 s after "stopped", saying so.
      expect(exit.at - signalled).toBeLessThan(2500);
      expect(served.stderr()).toContain('"msg":"stopped"');
      expect(served.stderr()).not.toContain('exiting anyway');
      expect(served.stderr()).not.toContain('did not answer the websocket close');
      await ownSocket.waitFor(() => ownSocket.closes.length === 1, 1000, 'the fake to see the close');
      expect(ownSocket.closes[0]).toMatchObject({ initiator: 'client', code: 1000, clean: true });
      expect(ownSlack.callsTo('apps.connections.open')).toHaveLength(1);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await ownSocket.close();
      await ownSlack.close();
    }
  });

  it('`serve` stops on SIGTERM even while Slack is unreachable and it is still trying to connect', async () => {
    const ownSlack = await startFakeSlack();
    ownSlack.setDefault('apps.connections.open', { status: 503, body: { ok: false, error: 'service_unavailable' } });
    const port = await closedPort();
    const served = spawnServe({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_APP_TOKEN: APP_TOKEN,
      SLACK_API_URL: ownSlack.apiUrl,
      PORT: String(port),
      VEEAM_URL: simulator.url,
      VEEAM_USERNAME: DEFAULT_SIM_USER.username,
      VEEAM_PASSWORD: DEFAULT_SIM_USER.password,
    });
    const { child } = served;
    const exited = served.exited.then((exit) => exit.code);
    try {
      await ownSlack.waitFor(() => ownSlack.callsTo('apps.connections.open').length >= 1, 10_000, `serve to try Slack:\n${served.stderr()}`);
      expect((await get(port, '/healthz')).status).toBe(200);
      child.kill('SIGTERM');
      expect(await exited, served.stderr()).toBe(0);
      expect(served.stderr()).toContain('stopping before the Slack connection was up');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await ownSlack.close();
    }
  });
});
