/**
 * The real Bolt app on its real HTTP receiver, signed requests, the fake Slack Web API and
 * response_urls, and the embedded simulator as the appliance.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SimPoint } from '../../src/simulator/dataset.ts';
import { demoDataset, pointsDataset, simUuid } from '../../src/simulator/dataset.ts';
import { startSimulator, type Simulator } from '../../src/simulator/server.ts';
import { startBot } from '../../src/bot.ts';
import { silentLogger } from '../../src/log.ts';
import { applianceFor, SIGNING_SECRET, startTestBot, testConfig, testFleet, type RunningTestBot } from '../support/bot.ts';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { expectWithinSlackLimits, slackLimitViolations } from '../support/slack-limits.ts';
import { blockActionsBody, eventCallbackBody, postSigned, slashCommandBody, TEST_CHANNEL_ID, TEST_USER_ID } from '../support/slack-signing.ts';

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const NOW = Date.now();

type Blocks = Array<Record<string, unknown>>;
const textOf = (message: { text?: unknown; blocks?: unknown }) => JSON.stringify(message);

let slack: FakeSlack;
let simulator: Simulator;
let running: RunningTestBot;

async function command(text: string, options: { user?: string } = {}) {
  const responseUrl = slack.responseUrl(text || 'empty');
  const result = await running.post(slashCommandBody({ text, response_url: responseUrl, ...(options.user ? { user_id: options.user } : {}) }), FORM);
  expect(result.status).toBe(200);
  await slack.waitFor(() => slack.responses.some((post) => post.url === responseUrl && post.status === 200), 8000, `an answer to "${text}"`);
  const answer = slack.responses.find((post) => post.url === responseUrl && post.status === 200)!;
  expectWithinSlackLimits(answer.body);
  return { result, answer: answer.body as { text: string; blocks: Blocks; response_type?: string; replace_original?: boolean }, responseUrl };
}

beforeAll(async () => {
  slack = await startFakeSlack();
  simulator = await startSimulator({ dataset: demoDataset({ now: NOW }) });
  running = await startTestBot(testConfig(slack, [applianceFor(simulator)]));
});
afterAll(async () => {
  await running.stop();
  await simulator.close();
  await slack.close();
});
afterEach(() => {
  simulator.faults.latencyMs = 0;
});

describe('/restorepoints', () => {
  it('answers through response_url, ephemeral, with the summary and session buttons', async () => {
    const { answer } = await command('');
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toMatch(/stale workload/);
    const flat = textOf(answer);
    expect(flat).toContain('*weu*');
    expect(flat).toMatch(/<!date\^\d+\^/);
    const buttons = answer.blocks.filter((b) => b['type'] === 'actions').flatMap((b) => b['elements'] as Array<{ action_id: string; text: { text: string } }>);
    expect(buttons.length).toBeGreaterThanOrEqual(3);
    // Issue 13: buttons say what they open: a failed session, or the session that made a point.
    expect(buttons.map((b) => b.text.text)).toContainEqual(expect.stringMatching(/^Snapshot session · (\d+ \w+ )?\d{2}:\d{2} UTC$/));
    expect(buttons.map((b) => b.text.text)).toContainEqual(expect.stringMatching(/^Error · Gold-VMs · (\d+ \w+ )?\d{2}:\d{2} UTC$/));
  });

  it('acks before the appliance answers', async () => {
    simulator.faults.latencyMs = 2000;
    const readsBefore = simulator.stats.requests;
    const responseUrl = slack.responseUrl('slow');
    const acked = await running.post(slashCommandBody({ text: '', response_url: responseUrl }), FORM);
    expect(acked.status).toBe(200);
    expect(slack.responses.filter((post) => post.url === responseUrl)).toHaveLength(0);
    await slack.waitFor(() => slack.responses.some((post) => post.url === responseUrl), 15_000);
    const answered = slack.responses.find((post) => post.url === responseUrl)!;
    expect(answered.at).toBeGreaterThan(acked.receivedAt);
    expect(simulator.stats.requests).toBeGreaterThan(readsBefore);
  });

  it('rejects a forged signature and a replayed (10-minute-old) request without reading the appliance', async () => {
    const before = simulator.stats.requests;
    const forged = await running.post(slashCommandBody({ text: '', response_url: slack.responseUrl('forged') }), FORM, { secret: 'not-the-secret' });
    expect(forged.status).toBe(401);
    const old = await running.post(slashCommandBody({ text: '', response_url: slack.responseUrl('old') }), FORM, {
      timestampSeconds: Math.floor(Date.now() / 1000) - 600,
    });
    expect(old.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(simulator.stats.requests).toBe(before);
  });

  it('answers a signed request replayed three times within five minutes once', async () => {
    const responseUrl = slack.responseUrl('replayed');
    const body = slashCommandBody({ text: 'stale', response_url: responseUrl });
    const timestampSeconds = Math.floor(Date.now() / 1000) - 60;
    for (let time = 0; time < 3; time++) expect((await running.post(body, FORM, { timestampSeconds })).status).toBe(200);
    await slack.waitFor(() => slack.responses.some((post) => post.url === responseUrl), 8000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(slack.responses.filter((post) => post.url === responseUrl)).toHaveLength(1);
    // The same command sent afresh (a new signature) is answered again.
    expect((await running.post(body, FORM)).status).toBe(200);
    await slack.waitFor(() => slack.responses.filter((post) => post.url === responseUrl).length === 2, 8000);
  });

  it('answers help and unknown words without reading the appliance', async () => {
    const before = simulator.stats.requests;
    const help = await command('help');
    expect(textOf(help.answer)).toContain('How to ask');
    const unknown = await command('vm-web before whenever');
    expect(textOf(unknown.answer)).toContain('I did not understand');
    expect(textOf(unknown.answer)).toContain('before whenever');
    expect(simulator.stats.requests).toBe(before);
  });

  it('answers a workload name with its latest points and recent history', async () => {
    const { answer } = await command('VM-ERP');
    expect(answer.text).toMatch(/^2 workloads match `VM-ERP` · ⚠️ 1 stale/);
    const flat = textOf(answer);
    expect(flat).toContain('vm-erp-01');
    expect(flat).toContain('Recent:');
    expect(flat).toContain('❌ corrupted');
  });

  it('never shows the good mark beside a corrupted newest point, and says why in words (issue 13)', async () => {
    const { answer } = await command('vm-erp-01');
    expect(answer.text).not.toMatch(/all fresh/);
    const flat = textOf(answer);
    expect(flat).toMatch(/a newer point is corrupted|newest point corrupted/);
    expect(flat).not.toMatch(/✅ \*vm-erp-01\*/);
  });

  it('lists unprotected VMs, leads with coverage, and labels namesakes apart (issue 13)', async () => {
    const { answer } = await command('');
    expect(answer.text).toMatch(/^⚠️ 13 of 15 VMs protected · /);
    const flat = textOf(answer);
    expect(flat).toContain('*Not protected*');
    expect(flat).toContain('`vm-new-07` (rg-dev · Development)');
    const web = await command('vm-web-01');
    expect(web.answer.text).toMatch(/^2 workloads match/);
    expect(textOf(web.answer)).toContain('*vm-web-01* (rg-dev · Development)');
    expect(textOf(web.answer)).toContain('*vm-web-01* (rg-prod · Production)');
  });

  it('answers unprotected with the coverage list, and failed with the reasons and buttons (issue 13)', async () => {
    const unprotected = await command('unprotected');
    const list = textOf(unprotected.answer);
    expect(list).toContain('13 of 15 VMs protected');
    expect(list).toContain('`vm-new-07` (rg-dev · Development)');
    expect(list).toContain('`vm-test-03`');
    expect(list).not.toContain('`vm-sql-01`');
    const failed = await command('failed');
    const flat = textOf(failed.answer);
    expect(flat).toMatch(/❌ \*Error\* · Gold-VMs · <!date\^\d+\^[^>]+>: “Failed to create a snapshot of vm-build-01/);
    expect(flat).toContain('`vm-build-01`');
    const buttons = failed.answer.blocks.filter((b) => b['type'] === 'actions').flatMap((b) => b['elements'] as Array<{ text: { text: string } }>);
    expect(buttons.map((b) => b.text.text)).toContainEqual(expect.stringMatching(/^Error · Gold-VMs · /));
    const narrowed = textOf((await command('failed vm-erp')).answer);
    expect(narrowed).not.toContain('Gold-VMs');
    const help = textOf((await command('help')).answer);
    expect(help).toContain('/restorepoints unprotected');
    expect(help).toContain('/restorepoints failed');
  });

  it('answers stale with only what is stale', async () => {
    const { answer } = await command('stale');
    const flat = textOf(answer);
    expect(flat).toContain('vm-build-01');
    expect(flat).toContain('vm-erp-01');
    expect(flat).not.toContain('vm-web-01');
  });

  it('answers before a clock time in the asker’s own zone', async () => {
    slack.setUserTimeZone('UZONE', 'Asia/Kolkata');
    const { answer } = await command('vm-sql-01 before 09:30', { user: 'UZONE' });
    expect(slack.callsTo('users.info').some((call) => call.body['user'] === 'UZONE')).toBe(true);
    expect(textOf(answer)).toContain('before the time asked');
    const asked = /at or before <!date\^(\d+)\^/.exec(textOf(answer));
    expect(asked).not.toBeNull();
    const instant = Number(asked![1]) * 1000;
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Kolkata', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(instant);
    expect(local).toBe('09:30');
    expect(instant).toBeLessThanOrEqual(Date.now());
  });

  it('answers before a duration ago and in one destination', async () => {
    const { answer } = await command('before 2d in azureblob');
    const flat = textOf(answer);
    expect(flat).toContain('AzureBlob');
    expect(flat).not.toMatch(/\*Snapshot\*/);
    expect(flat).toContain('before the time asked');
  });

  it('says which destination, appliance or workload it does not know', async () => {
    expect(textOf((await command('in tape')).answer)).toMatch(/No destination called `tape`.*Known: `Snapshot`, `AzureBlob`, `ManualSnapshot`/);
    expect(textOf((await command('on eastus')).answer)).toMatch(/No appliance called `eastus`.*Known: `weu`/);
    expect(textOf((await command('vm-nothing')).answer)).toMatch(/No workload called `vm-nothing`/);
    expect(textOf((await command('on WEU stale')).answer)).toContain('vm-build-01');
  });

  it('shares in the channel when asked', async () => {
    const { answer } = await command('share stale');
    expect(answer.response_type).toBe('in_channel');
  });

  it('falls back to chat.postEphemeral when response_url refuses', async () => {
    const responseUrl = slack.responseUrl('expired');
    slack.expireResponseUrl(responseUrl);
    const result = await running.post(slashCommandBody({ text: 'stale', response_url: responseUrl }), FORM);
    expect(result.status).toBe(200);
    await slack.waitFor(() => slack.callsTo('chat.postEphemeral').some((call) => call.body['channel'] === TEST_CHANNEL_ID), 8000);
    const call = slack.callsTo('chat.postEphemeral').at(-1)!;
    expect(call.body['user']).toBe(TEST_USER_ID);
    expect(call.token).toBe('xoxb-test-bot-token-7c2e91');
    expectWithinSlackLimits(call.body);
  });
});

describe('@restorepoints in a channel', () => {
  it('answers in the thread, once, even when Slack redelivers', async () => {
    const event = { type: 'app_mention', user: TEST_USER_ID, text: '<@UBOT> stale', ts: '1764150100.000200', thread_ts: '1764150000.000100', channel: 'CINCIDENT', event_ts: '1764150100.000200' };
    const body = eventCallbackBody(event, { eventId: 'Ev0MENTION1' });
    expect((await running.post(body, JSON_TYPE)).status).toBe(200);
    expect((await running.post(body, JSON_TYPE, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } })).status).toBe(200);
    await slack.waitFor(() => slack.callsTo('chat.postMessage').some((call) => call.body['channel'] === 'CINCIDENT'), 8000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const posts = slack.callsTo('chat.postMessage').filter((call) => call.body['channel'] === 'CINCIDENT');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body['thread_ts']).toBe('1764150000.000100');
    expect(textOf(posts[0]!.body)).toContain('vm-build-01');
    expectWithinSlackLimits(posts[0]!.body);
  });

  it('starts a thread on the mention itself when it is not in one', async () => {
    const event = { type: 'app_mention', user: TEST_USER_ID, text: 'hey <@UBOT> vm-web-01', ts: '1764150200.000300', channel: 'CINCIDENT2', event_ts: '1764150200.000300' };
    await running.post(eventCallbackBody(event), JSON_TYPE);
    await slack.waitFor(() => slack.callsTo('chat.postMessage').some((call) => call.body['channel'] === 'CINCIDENT2'), 8000);
    const post = slack.callsTo('chat.postMessage').find((call) => call.body['channel'] === 'CINCIDENT2')!;
    expect(post.body['thread_ts']).toBe('1764150200.000300');
    expect(textOf(post.body)).toContain('vm-web-01');
  });

  it('answers once when Slack posts the answer but answers after the timeout', async () => {
    // The production Web API options (no webApiRetries given), but for a shorter timeout.
    const config = testConfig(slack, [applianceFor(simulator)]);
    const fleet = testFleet(config);
    const slow = await startBot({ config, fleet, logger: silentLogger(), webApiTimeoutMs: 400 });
    try {
      slack.script('chat.postMessage', { delayMs: 1200 });
      const event = { type: 'app_mention', user: TEST_USER_ID, text: '<@UBOT> stale', ts: '1764150250.000300', channel: 'CSLOWSLACK', event_ts: '1764150250.000300' };
      await postSigned(`http://127.0.0.1:${slow.port}/slack/events`, eventCallbackBody(event), JSON_TYPE, { secret: SIGNING_SECRET });
      await slack.waitFor(() => slack.callsTo('chat.postMessage').some((call) => call.body['channel'] === 'CSLOWSLACK'), 8000);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect(slack.callsTo('chat.postMessage').filter((call) => call.body['channel'] === 'CSLOWSLACK')).toHaveLength(1);
    } finally {
      await slow.stop(2000);
    }
  });

  it('ignores its own messages', async () => {
    const event = { type: 'app_mention', user: 'UBOT', bot_id: 'BBOT', text: '<@UBOT> stale', ts: '1764150300.000400', channel: 'CSELF', event_ts: '1764150300.000400' };
    await running.post(eventCallbackBody(event), JSON_TYPE);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(slack.callsTo('chat.postMessage').filter((call) => call.body['channel'] === 'CSELF')).toHaveLength(0);
  });
});

describe('job-session buttons', () => {
  async function click(label: RegExp, name: string) {
    const { answer } = await command('');
    const buttons = answer.blocks.filter((b) => b['type'] === 'actions').flatMap((b) => b['elements'] as Array<{ action_id: string; value: string; text: { text: string } }>);
    const button = buttons.find((candidate) => label.test(candidate.text.text))!;
    const responseUrl = slack.responseUrl(name);
    const body = blockActionsBody({
      response_url: responseUrl,
      channel: { id: TEST_CHANNEL_ID, name: 'ops' },
      container: { type: 'message', message_ts: '1764150000.000100', channel_id: TEST_CHANNEL_ID, is_ephemeral: true },
      actions: [{ type: 'button', action_id: button.action_id, block_id: 'b1', value: button.value, action_ts: '1764150001.000000', text: { type: 'plain_text', text: 'x' } }],
    });
    expect((await running.post(body, FORM)).status).toBe(200);
    await slack.waitFor(() => slack.responses.some((post) => post.url === responseUrl), 8000);
    const reply = slack.responses.find((post) => post.url === responseUrl)!.body as { text: string; blocks: Blocks };
    expectWithinSlackLimits(reply);
    return textOf(reply);
  }

  it('a failure button opens the failed session with the appliance\'s own error text (issue 13)', async () => {
    const flat = await click(/^Error · Gold-VMs/, 'click-failure');
    expect(flat).toMatch(/❌ \*Error\* · Gold-VMs/);
    expect(flat).toContain('What the appliance says');
    expect(flat).toMatch(/Failed to create a snapshot of vm-build-01: .*locked by another operation/);
    expect(flat).toContain('Open in the appliance');
  });

  it('answers a click with the session, ephemeral, leaving the original untouched', async () => {
    const { answer } = await command('');
    // Issue 13: failure buttons come first now; this one opens the session that made a point.
    const button = answer.blocks
      .filter((b) => b['type'] === 'actions')
      .flatMap((b) => b['elements'] as Array<{ action_id: string; value: string; text: { text: string } }>)
      .find((candidate) => /^Snapshot session/.test(candidate.text.text))!;
    const responseUrl = slack.responseUrl('click');
    const click = blockActionsBody({
      response_url: responseUrl,
      channel: { id: TEST_CHANNEL_ID, name: 'ops' },
      container: { type: 'message', message_ts: '1764150000.000100', channel_id: TEST_CHANNEL_ID, is_ephemeral: true },
      actions: [{ type: 'button', action_id: button.action_id, block_id: 'b1', value: button.value, action_ts: '1764150001.000000', text: { type: 'plain_text', text: 'x' } }],
    });
    expect((await running.post(click, FORM)).status).toBe(200);
    await slack.waitFor(() => slack.responses.some((post) => post.url === responseUrl), 8000);
    const reply = slack.responses.find((post) => post.url === responseUrl)!.body as { text: string; blocks: Blocks; response_type: string; replace_original: boolean };
    expectWithinSlackLimits(reply);
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.replace_original).toBe(false);
    const flat = textOf(reply);
    expect(flat).toMatch(/✅ \*Success\* · /);
    expect(flat).toContain('Protected instances');
    expect(flat).toContain('*Duration*');
    expect(flat).toContain(simulator.url);
  });

  it('says so when the session no longer exists, or the appliance is unknown', async () => {
    for (const [value, expected] of [
      [JSON.stringify({ a: 'weu', s: 'gone-session' }), /no longer exists on weu/],
      [JSON.stringify({ a: 'elsewhere', s: '1' }), /elsewhere is no longer configured/],
      ['not json', /does not name a job session/],
    ] as const) {
      const responseUrl = slack.responseUrl('click-missing');
      await running.post(
        blockActionsBody({ response_url: responseUrl, channel: { id: TEST_CHANNEL_ID }, actions: [{ type: 'button', action_id: 'open_session:0', block_id: 'b', value, action_ts: '1' }] }),
        FORM,
      );
      await slack.waitFor(() => slack.responses.some((post) => post.url === responseUrl), 8000);
      expect(textOf(slack.responses.find((post) => post.url === responseUrl)!.body)).toMatch(expected);
    }
  });
});

describe('session buttons whose id is no id', () => {
  it('answers that the button names no session, and never asks the appliance for /jobSessions/ or its parent', async () => {
    for (const session of ['.', '..', '../..', 'a/b', '']) {
      const responseUrl = slack.responseUrl(`dot-${session}`);
      const value = JSON.stringify({ a: 'weu', s: session });
      await running.post(
        blockActionsBody({ response_url: responseUrl, channel: { id: TEST_CHANNEL_ID }, actions: [{ type: 'button', action_id: 'open_session:0', block_id: 'b', value, action_ts: '1' }] }),
        FORM,
      );
      await slack.waitFor(() => slack.responses.some((post) => post.url === responseUrl), 8000);
      const reply = slack.responses.find((post) => post.url === responseUrl)!.body;
      expectWithinSlackLimits(reply);
      expect(textOf(reply)).toMatch(/does not name a job session/);
    }
    const asked = [...simulator.stats.gets.keys()];
    // The list of sessions is read for failures (issue 13); '.' would ask for /jobSessions/, '..' for the API root.
    expect(asked.filter((path) => /\/jobSessions\/$/.test(path) || /\/api\/v[\d.]+\/?$/.test(path))).toEqual([]);
  });
});

describe('hostile and huge appliances', () => {
  const hostile = ['<!channel>', '<@U0ADMIN>', 'a&b<c>', '<!here|here>', '*bold*_`tick`'];
  let hostileSim: Simulator;
  let bigSim: Simulator;
  let bot: RunningTestBot;

  beforeAll(async () => {
    const day = 24 * 3_600_000;
    const hostilePoints: SimPoint[] = hostile.map((name, index) => ({
      id: simUuid(0x66, index),
      kind: 'vm',
      workload: name,
      pointInTime: NOW - 3 * day,
      sizeBytes: 1024,
      destination: index === 0 ? '<!everyone>' : 'Snapshot',
      type: 'Full',
      corrupted: false,
      jobSessionId: `<!channel>-${index}`,
      region: 'x',
    }));
    hostileSim = await startSimulator({ dataset: pointsDataset(hostilePoints) });
    const stalePoints: SimPoint[] = Array.from({ length: 300 }, (_, index) => ({
      id: simUuid(0x77, index),
      kind: 'vm',
      workload: `vm-stale-with-a-rather-long-name-${String(index).padStart(3, '0')}`,
      pointInTime: NOW - 5 * day - index * 60_000,
      sizeBytes: 50 * 1024 ** 3,
      destination: index % 2 ? 'Snapshot' : 'AzureBlob',
      type: 'Full',
      corrupted: false,
      jobSessionId: simUuid(0x88, index),
      region: 'x',
    }));
    bigSim = await startSimulator({ dataset: pointsDataset(stalePoints) });
    bot = await startTestBot(testConfig(slack, [applianceFor(hostileSim, '<!channel> appliance'), applianceFor(bigSim, 'big')]));
  });
  afterAll(async () => {
    await bot.stop();
    await hostileSim.close();
    await bigSim.close();
  });

  async function ask(text: string) {
    const responseUrl = slack.responseUrl('hostile');
    await bot.post(slashCommandBody({ text, response_url: responseUrl }), FORM);
    await slack.waitFor(() => slack.responses.some((post) => post.url === responseUrl), 8000);
    return slack.responses.find((post) => post.url === responseUrl)!;
  }

  it('escapes every name that comes from an appliance or a user', async () => {
    for (const text of ['', 'stale', 'a', '&lt;!channel&gt;', 'in &lt;!everyone&gt;']) {
      const post = await ask(text);
      expect(post.status, `${text}: ${JSON.stringify(slackLimitViolations(post.body))}`).toBe(200);
      expectWithinSlackLimits(post.body);
      // Button values are data for the click, never displayed: everything else must be escaped.
      const flat = JSON.stringify(post.body, (key, value: unknown) => (key === 'value' ? undefined : value));
      expect(flat).not.toMatch(/<!(channel|here|everyone)/);
      expect(flat).not.toMatch(/<@U0ADMIN>/);
    }
    expect(textOf((await ask('')).body)).toContain('&lt;!channel&gt;');
  });

  it('keeps 300 stale VMs within Slack’s limits, cut with "and N more"', async () => {
    for (const text of ['', 'stale', 'vm-stale', 'vm-stale before 1h']) {
      const post = await ask(text);
      expect(post.status, JSON.stringify(slackLimitViolations(post.body))).toBe(200);
      expectWithinSlackLimits(post.body);
      expect(textOf(post.body)).toMatch(/and \d+ more — narrow it with `\/restorepoints NAME`/);
    }
  });
});

describe('health', () => {
  it('GET /healthz answers 200', async () => {
    const response = await fetch(`http://127.0.0.1:${running.bot.port}/healthz`);
    expect(response.status).toBe(200);
  });
});
