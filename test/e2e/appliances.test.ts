/** One bot, several appliances: read side by side, each in its own place, a down or slow one never hiding the others. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { demoDataset } from '../../src/simulator/dataset.ts';
import { DEFAULT_SIM_USER, startSimulator, type Simulator } from '../../src/simulator/server.ts';
import { applianceFor, startTestBot, testConfig, testFleet, type RunningTestBot } from '../support/bot.ts';
import { runCli } from '../support/cli.ts';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { expectWithinSlackLimits } from '../support/slack-limits.ts';
import { blockActionsBody, slashCommandBody, TEST_CHANNEL_ID } from '../support/slack-signing.ts';
import { closedPort } from '../support/veeam.ts';

const NOW = Date.now();
const FORM = 'application/x-www-form-urlencoded';
let slack: FakeSlack;
const simulators: Simulator[] = [];
const arrivals = new Map<Simulator, number[]>();

async function simulator(seed: number, latencyMs = 0): Promise<Simulator> {
  const sim = await startSimulator({ dataset: demoDataset({ now: NOW, seed }), faults: { latencyMs } });
  const seen: number[] = [];
  arrivals.set(sim, seen);
  sim.faults.intercept = () => {
    seen.push(performance.now());
    return undefined;
  };
  simulators.push(sim);
  return sim;
}

beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(async () => {
  await Promise.all(simulators.map((sim) => sim.close()));
  await slack.close();
});

describe('ten appliances, one down and one slow', () => {
  it('reads them side by side: the slow one does not hold up the others, the down one is named in its place', async () => {
    const sims = await Promise.all(Array.from({ length: 10 }, (_, index) => simulator(index + 1, index === 5 ? 800 : 0)));
    const port = await closedPort();
    const appliances = sims.map((sim, index) =>
      index === 3 ? { ...applianceFor(sim, `region-${index}`), url: `http://127.0.0.1:${port}` } : applianceFor(sim, `region-${index}`),
    );
    const bot = await startTestBot(testConfig(slack, appliances));
    try {
      const responseUrl = slack.responseUrl('ten');
      await bot.post(slashCommandBody({ text: '', response_url: responseUrl }), FORM);
      await slack.waitFor(() => slack.responses.some((post) => post.url === responseUrl), 15_000);
      const answer = slack.responses.find((post) => post.url === responseUrl)!.body as { text: string; blocks: unknown[] };
      expectWithinSlackLimits(answer);
      const flat = JSON.stringify(answer);
      // Issue 13: the verdict leads with coverage (over the appliances that could be read).
      expect(answer.text).toMatch(/^🔴 \d+ of \d+ VMs protected · 1 appliance unreachable/);
      expect(flat).toMatch(/🔴 \*region-3\* could not be read: Cannot reach 127\.0\.0\.1:\d+: the connection was refused/);
      for (const index of [0, 1, 2, 4, 5, 6, 7, 8, 9]) expect(flat).toContain(`*region-${index}*`);
      // The verdict per appliance comes first, problems first.
      expect(flat).toMatch(/\*region-3\* 🔴 could not be read · \*region-\d\* ⚠️/);

      const slow = arrivals.get(sims[5]!)!;
      const slowLastArrival = Math.max(...slow);
      for (const [index, sim] of sims.entries()) {
        if (index === 3 || index === 5) continue;
        // Every other appliance was being read before the slow one's read had even finished asking.
        expect(Math.min(...arrivals.get(sim)!)).toBeLessThan(slowLastArrival);
      }
    } finally {
      await bot.stop();
    }
  });

  it('answers without an appliance that is slower than the wait, naming it, and caches its read for later', async () => {
    const fast = await simulator(21);
    const slow = await simulator(22, 1500);
    const config = testConfig(slack, [applianceFor(fast, 'fast'), applianceFor(slow, 'slow')], { cacheTtlMs: 60_000 });
    const fleet = testFleet(config, silentLogger());
    try {
      const first = await fleet.readAll(null, { waitMs: 300 });
      expect(first[0]!.error).toBeNull();
      expect(first[1]!.error).toMatch(/^slow has not answered within 300 ms; it is still being read, so ask again in a moment\.$/);
      const later = await fleet.readAll(null, { waitMs: 30_000 });
      expect(later[1]!.error).toBeNull();
      expect(later[1]!.tally.points).toBeGreaterThan(100);
    } finally {
      await fleet.close();
    }
  });
});

describe('two appliances in Slack', () => {
  let weu: Simulator;
  let eus: Simulator;
  let bot: RunningTestBot;
  beforeAll(async () => {
    weu = await simulator(31);
    eus = await simulator(32);
    bot = await startTestBot(
      testConfig(slack, [applianceFor(weu, 'westeurope', { digestChannels: ['CWEU000001'] }), applianceFor(eus, 'eastus', { digestChannels: ['CEUS000001'] })], {
        digest: { channels: ['CALL000001'], cron: '0 8 * * *', timeZone: 'UTC' },
      }),
    );
  });
  afterAll(async () => {
    await bot.stop();
  });

  async function ask(text: string) {
    const responseUrl = slack.responseUrl(text);
    await bot.post(slashCommandBody({ text, response_url: responseUrl }), FORM);
    await slack.waitFor(() => slack.responses.some((post) => post.url === responseUrl), 8000);
    const body = slack.responses.find((post) => post.url === responseUrl)!.body as { text: string; blocks: Array<Record<string, unknown>> };
    expectWithinSlackLimits(body);
    return body;
  }

  it('shows a workload found on both appliances once per appliance', async () => {
    const answer = await ask('vm-sql-01');
    expect(answer.text).toMatch(/^2 workloads match `vm-sql-01`/);
    const flat = JSON.stringify(answer);
    expect(flat).toContain('vm-sql-01* · VM on *westeurope*');
    expect(flat).toContain('vm-sql-01* · VM on *eastus*');
  });

  it('narrows to one appliance with `on NAME`', async () => {
    const flat = JSON.stringify(await ask('on eastus'));
    expect(flat).toContain('*eastus*');
    expect(flat).not.toContain('*westeurope*');
  });

  it('fetches a session from the appliance whose button was clicked', async () => {
    const answer = await ask('vm-sql-01 on eastus');
    const button = answer.blocks.filter((b) => b['type'] === 'actions').flatMap((b) => b['elements'] as Array<{ action_id: string; value: string }>)[0]!;
    expect(JSON.parse(button.value).a).toBe('eastus');
    const sessionGets = (sim: Simulator) => [...sim.stats.gets].filter(([path]) => path.includes('/jobSessions/')).reduce((sum, [, n]) => sum + n, 0);
    const [weuBefore, eusBefore] = [sessionGets(weu), sessionGets(eus)];
    const responseUrl = slack.responseUrl('click-eus');
    await bot.post(
      blockActionsBody({ response_url: responseUrl, channel: { id: TEST_CHANNEL_ID }, actions: [{ type: 'button', action_id: button.action_id, block_id: 'b', value: button.value, action_ts: '1' }] }),
      FORM,
    );
    await slack.waitFor(() => slack.responses.some((post) => post.url === responseUrl), 8000);
    expect(JSON.stringify(slack.responses.find((post) => post.url === responseUrl)!.body)).toContain('*Appliance*\\neastus');
    expect(sessionGets(eus)).toBe(eusBefore + 1);
    expect(sessionGets(weu)).toBe(weuBefore);
  });

  it('routes each appliance’s part of the digest to its channels, and everything to DIGEST_CHANNELS', async () => {
    const run = await bot.bot.runDigest();
    expect(run.outcomes.map((o) => [o.channel, o.ok])).toEqual([
      ['CALL000001', true],
      ['CWEU000001', true],
      ['CEUS000001', true],
    ]);
    const post = (channel: string) => JSON.stringify(slack.callsTo('chat.postMessage').filter((call) => call.body['channel'] === channel).at(-1)!.body);
    expect(post('CALL000001')).toContain('*westeurope*');
    expect(post('CALL000001')).toContain('*eastus*');
    expect(post('CWEU000001')).toContain('*westeurope*');
    expect(post('CWEU000001')).not.toContain('*eastus*');
    expect(post('CEUS000001')).toContain('*eastus*');
    expect(post('CEUS000001')).not.toContain('*westeurope*');
  });
});

describe('summary with RESTOREPOINTS_CONFIG', () => {
  it('lists every appliance in the JSON, the down one with its error, and groups the table by appliance', async () => {
    const up = await simulator(41);
    const port = await closedPort();
    const dir = mkdtempSync(join(tmpdir(), 'restorepoints-two-'));
    const file = join(dir, 'appliances.yaml');
    writeFileSync(
      file,
      `appliances:
  - { name: up, url: "${up.url}", username: ${DEFAULT_SIM_USER.username}, passwordEnv: UP_PASSWORD }
  - { name: down, url: "http://127.0.0.1:${port}", username: x, passwordEnv: UP_PASSWORD }
`,
    );
    const env = { RESTOREPOINTS_CONFIG: file, UP_PASSWORD: DEFAULT_SIM_USER.password };
    const json = await runCli(['summary', '--json'], env);
    expect(json.status).toBe(1);
    const document = JSON.parse(json.stdout);
    expect(document.appliances.map((a: { name: string; error: string | null }) => [a.name, a.error === null])).toEqual([
      ['up', true],
      ['down', false],
    ]);
    const table = await runCli(['summary'], env);
    expect(table.stdout).toMatch(/^up {2}http:\/\/127\.0\.0\.1:\d+\n/);
    // Issue 13 (rule 6): nothing was read, so no count or size is stated as a fact.
    expect(table.stdout).toMatch(/\n\ndown {2}http:\/\/127\.0\.0\.1:\d+\n {2}API unknown · could not be read\n {2}✗ Cannot reach/);
    expect(table.stdout).not.toMatch(/0 restore points · 0 B/);
  });
});
