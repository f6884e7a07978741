import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoDataset } from '../../src/simulator/dataset.ts';
import { DEFAULT_SIM_USER, startSimulator, type Simulator } from '../../src/simulator/server.ts';
import { runCli } from '../support/cli.ts';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { expectWithinSlackLimits } from '../support/slack-limits.ts';

let slack: FakeSlack;
let simulator: Simulator;
const env = () => ({
  VEEAM_URL: simulator.url,
  VEEAM_USERNAME: DEFAULT_SIM_USER.username,
  VEEAM_PASSWORD: DEFAULT_SIM_USER.password,
  SLACK_BOT_TOKEN: 'xoxb-cli-digest-test',
  SLACK_API_URL: slack.apiUrl,
});

beforeAll(async () => {
  slack = await startFakeSlack();
  simulator = await startSimulator({ dataset: demoDataset({ now: Date.now() }) });
});
afterAll(async () => {
  await simulator.close();
  await slack.close();
});

describe('restorepoints digest', () => {
  it('prints the Slack message with --json', async () => {
    const result = await runCli(['digest', '--json'], env());
    expect(result.status, result.stderr).toBe(0);
    const message = JSON.parse(result.stdout);
    expectWithinSlackLimits(message);
    expect(message.text).toMatch(/^⚠️ .*2 stale workloads/);
  });

  it('--post posts what it can, then exits non-zero naming the channel that failed and the fix', async () => {
    slack.setChannel('CGONE00001', { exists: false });
    const result = await runCli(['digest', '--post'], { ...env(), DIGEST_CHANNELS: 'CGONE00001,COK0000001' });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('✓ posted to COK0000001');
    expect(result.stdout).toMatch(/✗ CGONE00001: channel_not_found — .*invite the bot/);
    expect(slack.callsTo('chat.postMessage').filter((call) => call.body['channel'] === 'COK0000001')).toHaveLength(1);
  });

  it('--post exits 0 when every channel got it and every appliance was read', async () => {
    const result = await runCli(['digest', '--post'], { ...env(), DIGEST_CHANNELS: 'COK0000002' });
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });

  it('--post refuses to run without channels or a bot token', async () => {
    expect((await runCli(['digest', '--post'], env())).status).toBe(2);
    const { SLACK_BOT_TOKEN: _token, ...withoutToken } = env();
    const result = await runCli(['digest', '--post'], { ...withoutToken, DIGEST_CHANNELS: 'COK0000003' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('SLACK_BOT_TOKEN');
  });
});
