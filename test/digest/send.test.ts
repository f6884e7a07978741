/** The digest against the local fake Slack and the embedded simulator: it arrives, it is right, it is never falsely green. */
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fleet } from '../../src/appliances/fleet.ts';
import type { ApplianceConfig } from '../../src/config/load.ts';
import { planDigest } from '../../src/digest/plan.ts';
import { sendDigest } from '../../src/digest/send.ts';
import { silentLogger } from '../../src/log.ts';
import { slackClientOptions } from '../../src/slack/app.ts';
import { demoDataset, pointsDataset, simUuid, type SimPoint } from '../../src/simulator/dataset.ts';
import { startSimulator, type Simulator } from '../../src/simulator/server.ts';
import { applianceFor, BOT_TOKEN } from '../support/bot.ts';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { expectWithinSlackLimits } from '../support/slack-limits.ts';
import { closedPort, FAST_RETRY } from '../support/veeam.ts';

const NOW = Date.now();
const HOUR = 3_600_000;

let slack: FakeSlack;
let demo: Simulator;
beforeAll(async () => {
  slack = await startFakeSlack();
  demo = await startSimulator({ dataset: demoDataset({ now: NOW }) });
});
afterAll(async () => {
  await demo.close();
  await slack.close();
});

/** The production client options (no retries of the SDK's own) but for a shorter timeout when asked. */
function client(timeoutMs = 5000, apiUrl = slack.apiUrl) {
  return new webApi.WebClient(BOT_TOKEN, slackClientOptions({ botToken: BOT_TOKEN, signingSecret: null, appToken: null, apiUrl }, undefined, timeoutMs));
}

async function digest(appliances: readonly ApplianceConfig[], channels: readonly string[], sleep?: (ms: number) => Promise<void>, webClient = client()) {
  const fleet = Fleet.fromConfig(appliances, { cacheTtlMs: 0, logger: silentLogger(), client: { requestTimeoutMs: 2000, retry: { ...FAST_RETRY, limit: 1 } } });
  try {
    return await sendDigest({
      fleet,
      client: webClient,
      channels,
      appliances,
      timeZone: 'Europe/Berlin',
      now: Date.now,
      logger: silentLogger(),
      ...(sleep ? { posting: { sleep } } : {}),
    });
  } finally {
    await fleet.close();
  }
}

const postsTo = (channel: string) => slack.callsTo('chat.postMessage').filter((call) => call.body['channel'] === channel);

function freshPoints(): SimPoint[] {
  return ['vm-a', 'vm-b'].flatMap((vm, index) =>
    ['Snapshot', 'AzureBlob'].map((destination, d) => ({
      id: simUuid(0xf4e5, index * 2 + d),
      kind: 'vm' as const,
      workload: vm,
      pointInTime: NOW - HOUR,
      sizeBytes: 10 * 1024 ** 3,
      destination,
      type: 'Full' as const,
      corrupted: false,
      jobSessionId: simUuid(0x5e55, index),
      region: 'westeurope',
    })),
  );
}

describe('the digest', () => {
  it('says "all fresh" in its first line and notification when all is fresh', async () => {
    const fresh = await startSimulator({ dataset: pointsDataset(freshPoints()) });
    try {
      const run = await digest([applianceFor(fresh, 'weu')], ['CFRESH0001']);
      expect(run.outcomes).toEqual([{ channel: 'CFRESH0001', ok: true, error: null, fix: null, tries: 1 }]);
      const [post] = postsTo('CFRESH0001');
      expect(post!.body['text']).toMatch(/^✅ All fresh · 2 destinations · 4 restore points · 40 GiB/);
      expectWithinSlackLimits(post!.body);
    } finally {
      await fresh.close();
    }
  });

  it('puts problems first: an unreachable appliance, then what is stale, and is never green', async () => {
    const port = await closedPort();
    const down = { ...applianceFor(demo, 'eastus'), url: `http://127.0.0.1:${port}` };
    const run = await digest([applianceFor(demo, 'weu'), down], ['CDOWN00001']);
    expect(run.unreadable).toEqual(['eastus']);
    expect(run.outcomes[0]!.ok).toBe(true);
    const [post] = postsTo('CDOWN00001');
    expectWithinSlackLimits(post!.body);
    // Issue 13: the verdict leads with coverage (of the appliance that could be read).
    expect(post!.body['text']).toMatch(/^🔴 13 of 15 VMs protected · 1 appliance unreachable · 2 stale workloads · 3 destinations/);
    expect(post!.body['text']).toMatch(/eastus: Cannot reach 127\.0\.0\.1:\d+: the connection was refused/);
    const sections = (post!.body['blocks'] as Array<{ type: string; text?: { text: string } }>).map((b) => b.text?.text ?? b.type);
    const problem = sections.findIndex((text) => text.includes('*eastus* could not be read'));
    const stale = sections.findIndex((text) => text.startsWith('*Stale*'));
    const healthy = sections.findIndex((text) => text.startsWith('*weu* ·'));
    expect(problem).toBeGreaterThan(0);
    expect(stale).toBeGreaterThan(problem);
    expect(healthy).toBeGreaterThan(stale);
  });

  it('still reaches the other channels when one is missing, and says how to fix it', async () => {
    slack.setChannel('CMISSING01', { exists: false });
    const run = await digest([applianceFor(demo, 'weu')], ['CMISSING01', 'CPRESENT01']);
    expect(run.outcomes.find((o) => o.channel === 'CPRESENT01')!.ok).toBe(true);
    const missing = run.outcomes.find((o) => o.channel === 'CMISSING01')!;
    expect(missing).toMatchObject({ ok: false, error: 'channel_not_found' });
    expect(missing.fix).toMatch(/invite the bot/);
    expect(postsTo('CPRESENT01')).toHaveLength(1);
  });

  it('honours Retry-After on a 429, then posts', async () => {
    slack.script('chat.postMessage', { status: 429, headers: { 'Retry-After': '7' } });
    const waits: number[] = [];
    const run = await digest([applianceFor(demo, 'weu')], ['CLIMITED01'], async (ms) => {
      waits.push(ms);
    });
    expect(waits).toEqual([7000]);
    expect(run.outcomes[0]).toMatchObject({ ok: true, tries: 2 });
    expect(postsTo('CLIMITED01')).toHaveLength(2);
  });

  it('gives up on a channel after a bounded number of 429s', async () => {
    slack.script('chat.postMessage', ...Array.from({ length: 3 }, () => ({ status: 429, headers: { 'Retry-After': '1' } })));
    const run = await digest([applianceFor(demo, 'weu')], ['CLIMITED02'], async () => undefined);
    expect(run.outcomes[0]).toMatchObject({ ok: false, error: 'ratelimited', tries: 3 });
  });

  it('keeps a digest of 300 stale VMs within Slack’s limits', async () => {
    const points: SimPoint[] = Array.from({ length: 300 }, (_, index) => ({
      id: simUuid(0x300, index),
      kind: 'vm',
      workload: `vm-stale-${String(index).padStart(3, '0')}`,
      pointInTime: NOW - 4 * 24 * HOUR,
      sizeBytes: 1024 ** 3,
      destination: 'Snapshot',
      type: 'Full',
      corrupted: false,
      jobSessionId: simUuid(0x301, index),
      region: 'x',
    }));
    const many = await startSimulator({ dataset: pointsDataset(points) });
    try {
      const run = await digest([applianceFor(many, 'weu')], ['CMANY00001']);
      expect(run.outcomes[0]!.ok).toBe(true);
      const [post] = postsTo('CMANY00001');
      expectWithinSlackLimits(post!.body);
      expect(post!.body['text']).toMatch(/300 stale workloads/);
      expect(JSON.stringify(post!.body['blocks'])).toMatch(/and \d+ more — narrow it with/);
    } finally {
      await many.close();
    }
  });

  it('says so when nothing is configured', async () => {
    const run = await digest([], ['CEMPTY0001']);
    const [post] = postsTo('CEMPTY0001');
    expect(post!.body['text']).toMatch(/^⚪ No appliance is configured/);
    expect(run.outcomes[0]!.ok).toBe(true);
  });

  it('routes each appliance’s part to its own channels, and everything to DIGEST_CHANNELS', async () => {
    const plan = planDigest(['CALL000001'], [
      { name: 'weu', digestChannels: ['CWEU000001', 'CALL000001'] },
      { name: 'eus', digestChannels: ['CEUS000001'] },
    ]);
    expect(plan).toEqual([
      { channel: 'CALL000001', appliances: ['weu', 'eus'] },
      { channel: 'CWEU000001', appliances: ['weu'] },
      { channel: 'CEUS000001', appliances: ['eus'] },
    ]);
  });

  it('posts once to a slow Slack that posts but answers after the timeout, and says the post\'s fate is unknown', async () => {
    // Slack takes the post at once and answers late: the client times out after 400 ms.
    slack.script('chat.postMessage', { delayMs: 1200 });
    const run = await digest([applianceFor(demo, 'weu')], ['CSLOW00001'], undefined, client(400));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(postsTo('CSLOW00001')).toHaveLength(1);
    expect(run.outcomes).toEqual([expect.objectContaining({ channel: 'CSLOW00001', ok: false, error: 'timed_out', fateUnknown: true, tries: 1 })]);
    expect(run.outcomes[0]!.fix).toMatch(/may or may not be in the channel/);
  });

  it('sends again what Slack said it did not do: a 503, then posts', async () => {
    slack.script('chat.postMessage', { status: 503, body: 'upstream unavailable' });
    const waits: number[] = [];
    const run = await digest([applianceFor(demo, 'weu')], ['C503000001'], async (ms) => void waits.push(ms));
    expect(run.outcomes).toEqual([{ channel: 'C503000001', ok: true, error: null, fix: null, tries: 2 }]);
    expect(postsTo('C503000001')).toHaveLength(2);
    expect(waits).toHaveLength(1);
  });

  it('sends again when the connection is refused, a bounded number of times', async () => {
    const port = await closedPort();
    const waits: number[] = [];
    const run = await digest([applianceFor(demo, 'weu')], ['CREFUSED01'], async (ms) => void waits.push(ms), client(2000, `http://127.0.0.1:${port}/api/`));
    expect(run.outcomes).toEqual([expect.objectContaining({ channel: 'CREFUSED01', ok: false, error: 'ECONNREFUSED', tries: 3 })]);
    expect(waits).toHaveLength(2);
  });

  it('does not send again what Slack refused', async () => {
    slack.setChannel('CGONE00001', { exists: false });
    const run = await digest([applianceFor(demo, 'weu')], ['CGONE00001'], async () => undefined);
    expect(run.outcomes).toEqual([expect.objectContaining({ channel: 'CGONE00001', ok: false, error: 'channel_not_found', tries: 1 })]);
    expect(postsTo('CGONE00001')).toHaveLength(1);
  });
});
