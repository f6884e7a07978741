/**
 * An alert state that cannot be opened at start: the bot still starts and answers, /readyz says
 * `alerts: …` with the fix, the log says it once, every watch tries again, and once the state
 * opens the watch goes on (its baseline posted) and /readyz no longer names alerts.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset, SimPoint } from '../../src/simulator/dataset.ts';
import { startSimulator, type Simulator } from '../../src/simulator/server.ts';
import { AlertStateUnavailable } from '../../src/alerts/watch.ts';
import { applianceFor, startTestBot, testConfig, type RunningTestBot } from '../support/bot.ts';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { captureLogger } from '../support/log-capture.ts';

const CHANNEL = 'CALERT003';
const points: SimPoint[] = [{
  id: 'point-old', kind: 'vm', workload: 'vm-old', pointInTime: Date.now() - 40 * 3_600_000, sizeBytes: 1, destination: 'Snapshot',
  type: 'Full', corrupted: false, jobSessionId: 'session-old', region: 'westeurope',
}];
const dataset: Dataset = { collections: { vm: { form: 'points', get count() { return points.length; }, at: (index: number) => points[index]! } }, jobSession: () => null };

let slack: FakeSlack;
let simulator: Simulator;
let dir: string;
let running: RunningTestBot;
const capture = captureLogger('info');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'restorepoints-alert-state-'));
  // The state file's folder is a plain file: nothing can be created under it, whoever runs the test.
  await writeFile(join(dir, 'blocked'), 'not a folder');
  slack = await startFakeSlack();
  simulator = await startSimulator({ dataset });
  const config = testConfig(slack, [applianceFor(simulator)], { alerts: { channels: [CHANNEL], everyMs: 3_600_000, stateFile: join(dir, 'blocked', 'state.db') } });
  running = await startTestBot(config, { logger: capture.logger });
});
afterAll(async () => {
  await running.stop();
  await simulator.close();
  await slack.close();
  await rm(dir, { recursive: true, force: true });
});

const alertLines = async () => (await running.bot.readiness()).filter((line) => line.startsWith('alerts: '));
const stateErrors = () => capture.lines.filter((line) => line.level === 'error' && line.msg.includes('alert state'));

describe('an alert state that cannot be opened', () => {
  it('is said on /readyz and once in the log, with the fix, and nothing is posted', async () => {
    await slack.waitFor(() => stateErrors().length === 1, 8_000, 'the first watch to fail');
    const [line] = await alertLines();
    expect(line).toContain(join(dir, 'blocked', 'state.db'));
    expect(line).toContain('nothing is posted until it works');
    expect(line).toContain('STATE_FILE');
    const readyz = await fetch(`http://127.0.0.1:${running.bot.port}/readyz`);
    expect(readyz.status).toBe(503);
    expect(await readyz.text()).toMatch(/^alerts: the alert state \(.*state\.db\) cannot be opened or saved: could not open the alert state file/m);
    expect(stateErrors()[0]!.msg).toMatch(/Fix: check that the folder of .*state\.db exists and is writable/);
    expect(stateErrors()[0]!['err']).toBeUndefined();
    await expect(running.bot.alerts!.watch.runOnce()).rejects.toBeInstanceOf(AlertStateUnavailable);
    expect(stateErrors()).toHaveLength(1);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('is opened at the next watch once it can be, and the watch goes on', async () => {
    await rm(join(dir, 'blocked'));
    await mkdir(join(dir, 'blocked'));
    expect(await running.bot.alerts!.watch.runOnce()).toBe(true);
    expect(await alertLines()).toEqual([]);
    expect(capture.lines.some((line) => line.msg.includes('can be saved again'))).toBe(true);
    await slack.waitFor(() => slack.callsTo('chat.postMessage').length === 1, 8_000, 'the baseline');
    expect(JSON.stringify(slack.callsTo('chat.postMessage')[0]!.body)).toContain('vm-old');
  });
});
