/**
 * No secret reaches the logs, at any level. The bot runs at debug through everything it does —
 * a full appliance read, a token renewal, a slash command, a mention, a session button, a
 * digest, the HTTP routes, the logout — with distinctive secret values, and the whole output is
 * searched for them and for every token the simulator issued. The command line is searched too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fleet } from '../../src/appliances/fleet.ts';
import { createLogger } from '../../src/log.ts';
import { createMetrics } from '../../src/metrics.ts';
import { demoDataset } from '../../src/simulator/dataset.ts';
import { startSimulator, type Simulator } from '../../src/simulator/server.ts';
import { applianceFor, startTestBot, testConfig, type RunningTestBot } from '../support/bot.ts';
import { runCli } from '../support/cli.ts';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { blockActionsBody, eventCallbackBody, slashCommandBody, TEST_CHANNEL_ID, TEST_USER_ID } from '../support/slack-signing.ts';
import { FAST_RETRY } from '../support/veeam.ts';

const FORM = 'application/x-www-form-urlencoded';
const BOT_TOKEN = 'xoxb-1111-2222-SECRETbottoken9f3a';
const SIGNING_SECRET = 'SECRETsigning0a1b2c3d4e5f60718293';
const PASSWORD = 'SECRET-appliance-pa55:w0rd "quoted" \\ back';
const USERNAME = 'restorepoints-svc';
const DIGEST_CHANNEL = 'CDIGEST001';
const SIGNED = { secret: SIGNING_SECRET };

let slack: FakeSlack;
let simulator: Simulator;

beforeAll(async () => {
  slack = await startFakeSlack();
  simulator = await startSimulator({ dataset: demoDataset({ now: Date.now() }), users: [{ username: USERNAME, password: PASSWORD }] });
});
afterAll(async () => {
  await simulator.close();
  await slack.close();
});

/** Every secret value the run could have leaked: the configured ones and every token the appliance issued. */
function secrets(): string[] {
  return [BOT_TOKEN, SIGNING_SECRET, PASSWORD, JSON.stringify(PASSWORD).slice(1, -1), encodeURIComponent(PASSWORD), ...simulator.stats.tokensIssued];
}

function expectNoSecret(output: string): void {
  for (const secret of secrets()) {
    expect(output.includes(secret), `a secret leaked into the logs: ${secret.slice(0, 12)}…`).toBe(false);
  }
  // No bearer credential of any kind, whatever its value.
  expect(output).not.toMatch(/Bearer (?!\[redacted\])/i);
  expect(output).not.toMatch(/xoxb-(?!\[redacted\])/);
}

describe('secrets in the logs', () => {
  let running: RunningTestBot;
  let output = '';

  beforeAll(async () => {
    const logger = createLogger({ level: 'debug', destination: { write: (chunk: string) => (output += chunk) } });
    const appliance = applianceFor(simulator, 'weu', { username: USERNAME, password: PASSWORD });
    const config = testConfig(slack, [appliance], {
      slack: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, appToken: null, apiUrl: slack.apiUrl },
      digest: { channels: [DIGEST_CHANNEL], cron: '0 8 * * *', timeZone: 'UTC' },
      logLevel: 'debug',
    });
    const metrics = createMetrics({ processMetrics: false });
    const fleet = Fleet.fromConfig(config.appliances, {
      cacheTtlMs: 0,
      logger,
      onReading: metrics.onReading,
      client: { requestTimeoutMs: 5000, retry: FAST_RETRY },
    });
    running = await startTestBot(config, { logger, fleet, metrics });
  });

  it('keeps them out of a debug run through every path of the bot', async () => {
    // A slash command: a full read of the appliance, answered through response_url.
    const responseUrl = slack.responseUrl('secrets');
    expect((await running.post(slashCommandBody({ text: '', response_url: responseUrl }), FORM, SIGNED)).status).toBe(200);
    await slack.waitFor(() => slack.responses.some((post) => post.url === responseUrl && post.status === 200), 8000);
    const answer = slack.responses.find((post) => post.url === responseUrl)!.body as { blocks: Array<Record<string, unknown>> };

    // The access token stops working: the client refreshes (refresh token in a form body).
    simulator.revokeAccessTokens();
    const again = slack.responseUrl('secrets-again');
    await running.post(slashCommandBody({ text: 'vm-sql', response_url: again }), FORM, SIGNED);
    await slack.waitFor(() => slack.responses.some((post) => post.url === again && post.status === 200), 8000);

    // A mention, answered in its thread.
    const ts = '1764150000.000100';
    await running.post(eventCallbackBody({ type: 'app_mention', user: TEST_USER_ID, text: '<@UBOT> stale', ts, channel: TEST_CHANNEL_ID, event_ts: ts }), 'application/json', SIGNED);
    await slack.waitFor(() => slack.callsTo('chat.postMessage').some((call) => call.body['thread_ts'] === ts), 8000);

    // A session button from the answer.
    const button = answer.blocks
      .filter((block) => block['type'] === 'actions')
      .flatMap((block) => (block['elements'] as Array<{ action_id: string; value?: string }>).map((element) => ({ ...element, block_id: block['block_id'] })))
      .find((element) => element.value !== undefined)!;
    const clicked = slack.responseUrl('secrets-button');
    await running.post(
      blockActionsBody({
        response_url: clicked,
        channel: { id: TEST_CHANNEL_ID, name: 'test' },
        container: { type: 'message', message_ts: '1764150000.000200', channel_id: TEST_CHANNEL_ID, is_ephemeral: true },
        actions: [{ type: 'button', action_id: button.action_id, block_id: button.block_id, value: button.value, action_ts: '1764150001.000000' }],
      }),
      FORM,
      SIGNED,
    );
    await slack.waitFor(() => slack.responses.some((post) => post.url === clicked && post.status === 200), 8000);

    // The digest, and the routes.
    const run = await running.bot.runDigest();
    expect(run.outcomes).toEqual([expect.objectContaining({ channel: DIGEST_CHANNEL, ok: true })]);
    const base = `http://127.0.0.1:${running.bot.port}`;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('restorepoints_slack_handled_total{kind="session",outcome="ok"} 1');

    // The shutdown logs out of the appliance (a bearer token in a DELETE).
    await running.stop();
    expect(simulator.stats.logouts).toBeGreaterThanOrEqual(1);
    expect(simulator.stats.refreshes).toBeGreaterThanOrEqual(1);

    // The run did log at debug, from the app and from Bolt and the Web API client.
    const lines = output.trim().split('\n').map((line) => JSON.parse(line) as { level: string; msg: string; component?: string });
    expect(lines.filter((line) => line.level === 'debug').length).toBeGreaterThan(20);
    expect(lines.some((line) => line.msg.includes('http request headers'))).toBe(true);
    expect(lines.some((line) => line.msg === 'logged in to the appliance')).toBe(true);
    expectNoSecret(output);
  });
});

describe('secrets in the command line’s logs', () => {
  it('keeps them out of `summary` at debug', async () => {
    const result = await runCli(['summary', '--json'], {
      LOG_LEVEL: 'debug',
      VEEAM_URL: simulator.url,
      VEEAM_USERNAME: USERNAME,
      VEEAM_PASSWORD: PASSWORD,
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain('"level":"debug"');
    expectNoSecret(result.stderr);
    expectNoSecret(result.stdout);
  });

  it('keeps them out of `check` at debug (the Web API client logs every request there)', async () => {
    const result = await runCli(['check'], {
      LOG_LEVEL: 'debug',
      VEEAM_URL: simulator.url,
      VEEAM_USERNAME: USERNAME,
      VEEAM_PASSWORD: PASSWORD,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      DIGEST_CHANNELS: DIGEST_CHANNEL,
    });
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stderr).toContain('http request headers');
    expectNoSecret(result.stderr);
    expectNoSecret(result.stdout);
  });
});
