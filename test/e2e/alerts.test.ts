/**
 * The alert watch end to end: the real bot on its HTTP receiver, the simulator changing under
 * it, a fake Slack, and the state in a real SQLite file. The watch runs by itself once at start
 * (WATCH_EVERY is long here); the test then runs each watch itself, so it decides what changed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/types.ts';
import type { Dataset, SimPoint } from '../../src/simulator/dataset.ts';
import { startSimulator, type Simulator } from '../../src/simulator/server.ts';
import { applianceFor, startTestBot, testConfig, type RunningTestBot } from '../support/bot.ts';
import { startFakeSlack, type FakeSlack, type SlackCall } from '../support/fake-slack.ts';
import { expectWithinSlackLimits } from '../support/slack-limits.ts';
import { blockActionsBody } from '../support/slack-signing.ts';

const HOUR = 3_600_000;
const CHANNEL = 'CALERT001';
const FORM = 'application/x-www-form-urlencoded';

/** A small appliance whose points the test changes: each VM has one Snapshot point `hoursOld` old. */
function vmPoint(name: string, hoursOld: number, index: number): SimPoint {
  return {
    id: `point-${name}-${index}`, kind: 'vm', workload: name, pointInTime: Date.now() - hoursOld * HOUR, sizeBytes: 1024 ** 3, destination: 'Snapshot',
    type: 'Full', corrupted: false, jobSessionId: `session-${name}`, region: 'westeurope',
  };
}
let points: SimPoint[] = [];
let version = 0;
function setVm(name: string, hoursOld: number): void {
  version++;
  points = [...points.filter((point) => point.workload !== name), vmPoint(name, hoursOld, version)];
}
const dataset: Dataset = {
  collections: { vm: { form: 'points', get count() { return points.length; }, at: (index: number) => points[index]! } },
  jobSession: () => null,
};

let slack: FakeSlack;
let simulator: Simulator;
let dir: string;
let config: Config;
let running: RunningTestBot;

const accepted = (call: SlackCall) => (call.response as { ok?: boolean } | null)?.ok === true;
const posts = () => slack.callsTo('chat.postMessage').filter((call) => call.body['channel'] === CHANNEL && accepted(call));
const roots = () => posts().filter((call) => call.body['thread_ts'] === undefined);
const repliesTo = (ts: string) => posts().filter((call) => call.body['thread_ts'] === ts);
const updatesOf = (ts: string) => slack.callsTo('chat.update').filter((call) => call.body['ts'] === ts);
const tsOf = (call: SlackCall) => (call.response as { ts: string }).ts;
const text = (call: SlackCall) => JSON.stringify(call.body);
const rootAbout = (name: string) => roots().find((call) => String(call.body['text']).includes(name));

async function watch(): Promise<void> {
  expect(await running.bot.alerts!.watch.runOnce()).toBe(true);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'restorepoints-alerts-'));
  slack = await startFakeSlack();
  setVm('vm-ok', 1);
  setVm('vm-stale', 2);
  setVm('vm-old', 30);
  simulator = await startSimulator({ dataset });
  config = testConfig(slack, [applianceFor(simulator)], {
    digest: { channels: ['CDIGEST001'], cron: '0 8 * * *', timeZone: 'UTC' },
    alerts: { channels: [CHANNEL], everyMs: 3_600_000, stateFile: join(dir, 'state.db') },
  });
  running = await startTestBot(config);
});
afterAll(async () => {
  await running.stop();
  await simulator.close();
  await slack.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the alert watch', () => {
  it('starts with one baseline message listing what is already wrong', async () => {
    await slack.waitFor(() => posts().length === 1, 8000, 'the baseline message');
    const [baseline] = posts();
    expectWithinSlackLimits(baseline!.body);
    expect(text(baseline!)).toContain('already there');
    expect(text(baseline!)).toContain('vm-old is stale in Snapshot on weu');
    await watch();
    expect(posts()).toHaveLength(1);
  });

  it('posts one root message when a VM goes stale, with Acknowledge, Snooze and Open session, and nothing more while it stays so', async () => {
    setVm('vm-stale', 40);
    await watch();
    const root = rootAbout('vm-stale');
    expect(root).toBeDefined();
    expectWithinSlackLimits(root!.body);
    const buttons = (root!.body['blocks'] as Array<{ type: string; elements?: Array<{ action_id: string }> }>).filter((block) => block.type === 'actions').flatMap((block) => block.elements ?? []).map((element) => element.action_id);
    expect(buttons).toEqual(['alert_acknowledge', 'alert_snooze:4h', 'alert_snooze:1d', 'open_session:0']);
    await watch();
    expect(roots().filter((call) => String(call.body['text']).includes('vm-stale'))).toHaveLength(1);
  });

  it('snoozes from a signed click: the root shows who and until when, and the digest lists it as snoozed', async () => {
    const root = rootAbout('vm-stale')!;
    const snooze = (root.body['blocks'] as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>).filter((block) => block.type === 'actions').flatMap((block) => block.elements ?? []).find((element) => element.action_id === 'alert_snooze:4h')!;
    const click = blockActionsBody({
      response_url: slack.responseUrl('snooze'),
      user: { id: 'U0ALICE', username: 'alice', name: 'alice', team_id: 'T0TEST' },
      channel: { id: CHANNEL, name: 'alerts' },
      container: { type: 'message', message_ts: tsOf(root), channel_id: CHANNEL, is_ephemeral: false },
      actions: [{ type: 'button', action_id: snooze.action_id, block_id: 'b1', value: snooze.value, action_ts: '1764150001.000000', text: { type: 'plain_text', text: 'Snooze 4 h' } }],
    });
    expect((await running.post(click, FORM)).status).toBe(200);
    await slack.waitFor(() => updatesOf(tsOf(root)).length === 1, 8000, 'the root edited after the snooze');
    const update = updatesOf(tsOf(root))[0]!;
    expectWithinSlackLimits(update.body);
    expect(text(update)).toContain('Snoozed by alice until');
    const run = await running.bot.runDigest();
    expect(run.outcomes.every((outcome) => outcome.ok)).toBe(true);
    const digest = slack.callsTo('chat.postMessage').find((call) => call.body['channel'] === 'CDIGEST001')!;
    expect(text(digest)).toMatch(/Snoozed: vm-stale is stale in Snapshot on weu \(by alice until/);
  });

  it('posts the appliance going down, holds its VMs\' problems, and says when it is back', async () => {
    simulator.faults.intercept = () => ({ status: 503, body: { title: 'down' } });
    await watch();
    simulator.faults.intercept = null;
    const down = rootAbout('weu cannot be read');
    expect(down).toBeDefined();
    expectWithinSlackLimits(down!.body);
    const stale = rootAbout('vm-stale')!;
    expect(repliesTo(tsOf(stale))).toHaveLength(0);
    await watch();
    const resolved = updatesOf(tsOf(down!));
    expect(resolved).toHaveLength(1);
    expect(text(resolved[0]!)).toContain('Resolved');
    expect(text(resolved[0]!)).toContain('Lasted');
    const replies = repliesTo(tsOf(down!));
    expect(replies).toHaveLength(1);
    expect(text(replies[0]!)).toContain('was read again without error');
    expect(repliesTo(tsOf(stale))).toHaveLength(0);
  });

  it('keeps a post Slack refused and sends it at the next watch, once', async () => {
    setVm('vm-ok', 50);
    slack.script('chat.postMessage', { body: { ok: false, error: 'internal_error' } });
    await watch();
    expect(rootAbout('vm-ok')).toBeUndefined();
    await watch();
    expect(roots().filter((call) => String(call.body['text']).includes('vm-ok'))).toHaveLength(1);
  });

  it('does not post again a root whose post may have reached Slack (the connection dropped)', async () => {
    setVm('vm-hang', 45);
    slack.script('chat.postMessage', { hangUp: true });
    const before = slack.callsTo('chat.postMessage').length;
    await watch();
    await watch();
    const attempts = slack.callsTo('chat.postMessage').slice(before).filter((call) => String(call.body['text']).includes('vm-hang'));
    expect(attempts).toHaveLength(1);
    setVm('vm-hang', 1);
    await watch();
  });

  it('after a restart with the same state file, says only what changed meanwhile', async () => {
    await running.stop();
    const before = posts().length;
    setVm('vm-stale', 1);
    running = await startTestBot(config);
    await slack.waitFor(() => posts().length > before, 8000, 'the resolution of vm-stale');
    await watch();
    const stale = rootAbout('vm-stale')!;
    const after = posts().slice(before);
    expect(after).toHaveLength(1);
    expect(after[0]!.body['thread_ts']).toBe(tsOf(stale));
    expect(text(after[0]!)).toContain('is now the latest');
    expect(text(updatesOf(tsOf(stale)).at(-1)!)).toContain('Resolved');
    for (const call of [...posts(), ...slack.callsTo('chat.update')]) expectWithinSlackLimits(call.body);
  });

  it('answers a click on a problem that is already resolved, privately, and changes nothing', async () => {
    const root = rootAbout('vm-stale')!;
    const acknowledge = (root.body['blocks'] as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>).filter((block) => block.type === 'actions').flatMap((block) => block.elements ?? []).find((element) => element.action_id === 'alert_acknowledge')!;
    const responseUrl = slack.responseUrl('late-click');
    const updates = slack.callsTo('chat.update').length;
    const click = blockActionsBody({
      response_url: responseUrl,
      channel: { id: CHANNEL, name: 'alerts' },
      container: { type: 'message', message_ts: tsOf(root), channel_id: CHANNEL, is_ephemeral: false },
      actions: [{ type: 'button', action_id: acknowledge.action_id, block_id: 'b1', value: acknowledge.value, action_ts: '1764150002.000000', text: { type: 'plain_text', text: 'Acknowledge' } }],
    });
    expect((await running.post(click, FORM)).status).toBe(200);
    await slack.waitFor(() => slack.responses.some((post) => post.url === responseUrl), 8000, 'the answer to a late click');
    const answer = slack.responses.find((post) => post.url === responseUrl)!.body as { text: string; response_type: string };
    expect(answer.text).toContain('no longer open');
    expect(answer.response_type).toBe('ephemeral');
    expect(slack.callsTo('chat.update')).toHaveLength(updates);
  });
});
