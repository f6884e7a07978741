/**
 * /healthz, /readyz and /metrics on the real bot (HTTP mode, Bolt's customRoutes) and on the
 * route server Socket Mode uses. Several bots run in this one process: each has its own registry.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fleet } from '../../src/appliances/fleet.ts';
import type { Config } from '../../src/config/load.ts';
import { readinessCheck } from '../../src/http/readiness.ts';
import { healthRoute, metricsRoute, readinessRoute, startRouteServer } from '../../src/http/routes.ts';
import { silentLogger } from '../../src/log.ts';
import { createMetrics, type BotMetrics } from '../../src/metrics.ts';
import { demoDataset } from '../../src/simulator/dataset.ts';
import { startSimulator, type Simulator } from '../../src/simulator/server.ts';
import { applianceFor, startTestBot, testConfig, type RunningTestBot } from '../support/bot.ts';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { slashCommandBody } from '../support/slack-signing.ts';
import { closedPort, FAST_RETRY } from '../support/veeam.ts';

const FORM = 'application/x-www-form-urlencoded';

let slack: FakeSlack;
let simulator: Simulator;
const running: RunningTestBot[] = [];

beforeAll(async () => {
  slack = await startFakeSlack();
  simulator = await startSimulator({ dataset: demoDataset({ now: Date.now() }) });
});
afterAll(async () => {
  await Promise.all(running.map((bot) => bot.stop()));
  await simulator.close();
  await slack.close();
});

/** A bot whose fleet reports its reads to the bot's metrics, as `serve` builds it. */
async function startBot(config: Config, readinessWaitMs?: number): Promise<{ bot: RunningTestBot; metrics: BotMetrics; base: string }> {
  const metrics = createMetrics({ processMetrics: false });
  const fleet = Fleet.fromConfig(config.appliances, {
    cacheTtlMs: config.cacheTtlMs,
    logger: silentLogger(),
    onReading: metrics.onReading,
    client: { requestTimeoutMs: 2000, retry: { ...FAST_RETRY, limit: 0 } },
  });
  const bot = await startTestBot(config, { fleet, metrics, ...(readinessWaitMs === undefined ? {} : { readinessWaitMs }) });
  running.push(bot);
  return { bot, metrics, base: `http://127.0.0.1:${bot.bot.port}` };
}

async function get(url: string): Promise<{ status: number; body: string; type: string | null }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.text(), type: response.headers.get('content-type') };
}

function sample(metrics: string, name: string, labels: Record<string, string> = {}): number | null {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((label) => line.includes(label))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return null;
}

describe('HTTP mode: the routes beside /slack/events', () => {
  it('is alive, ready once every appliance was read, and reads at most once per freshness window', async () => {
    const { base } = await startBot(testConfig(slack, [applianceFor(simulator, 'weu')], { cacheTtlMs: 60_000 }));
    expect(await get(`${base}/healthz`)).toMatchObject({ status: 200, body: 'ok\n' });
    const logins = simulator.stats.passwordLogins;
    const pages = simulator.pageRequests();
    expect(await get(`${base}/readyz`)).toMatchObject({ status: 200, body: 'ready\n' });
    expect(simulator.stats.passwordLogins).toBe(logins + 1);
    const afterFirst = simulator.pageRequests();
    expect(afterFirst).toBeGreaterThan(pages);
    for (let probe = 0; probe < 3; probe++) expect((await get(`${base}/readyz`)).status).toBe(200);
    expect(simulator.pageRequests()).toBe(afterFirst);
  });

  it('is not ready while an appliance cannot be read, and says which and why, one line each', async () => {
    const down = applianceFor(simulator, 'down', { url: `http://127.0.0.1:${await closedPort()}` });
    const { base } = await startBot(testConfig(slack, [applianceFor(simulator, 'weu'), down]));
    const ready = await get(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.body).toMatch(/^appliance down: Cannot reach 127\.0\.0\.1:\d+: .*\n$/);
    expect(ready.body.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('does not keep a probe waiting for a slow first read', async () => {
    simulator.faults.latencyMs = 1500;
    try {
      const { base } = await startBot(testConfig(slack, [applianceFor(simulator, 'slow')]), 200);
      const started = Date.now();
      const ready = await get(`${base}/readyz`);
      expect(Date.now() - started).toBeLessThan(1200);
      expect(ready).toMatchObject({ status: 503, body: 'appliance slow: not read yet (the first read is in progress)\n' });
    } finally {
      simulator.faults.latencyMs = 0;
    }
  });

  it('exports backup ages, sizes and staleness, reads, Slack answers and digests', async () => {
    const down = applianceFor(simulator, 'down', { url: `http://127.0.0.1:${await closedPort()}` });
    slack.setChannel('CGONE00001', { exists: false });
    const config = testConfig(slack, [applianceFor(simulator, 'weu'), down], {
      digest: { channels: ['CDIGEST001', 'CGONE00001'], cron: '0 8 * * *', timeZone: 'UTC' },
    });
    const { bot, base } = await startBot(config);
    const responseUrl = slack.responseUrl('metrics');
    await bot.post(slashCommandBody({ text: '', response_url: responseUrl }), FORM);
    await slack.waitFor(() => slack.responses.some((post) => post.url === responseUrl && post.status === 200), 8000);
    await bot.bot.runDigest();

    const scraped = await get(`${base}/metrics`);
    expect(scraped.status).toBe(200);
    expect(scraped.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = scraped.body;
    const snapshot = { appliance: 'weu', destination: 'Snapshot' };
    expect(sample(text, 'restorepoints_latest_restore_point_age_seconds', snapshot)).toBeGreaterThan(0);
    expect(sample(text, 'restorepoints_latest_restore_point_timestamp_seconds', snapshot)).toBeLessThan(Date.now() / 1000);
    expect(sample(text, 'restorepoints_stale_after_seconds', snapshot)).toBe(26 * 3600);
    expect(sample(text, 'restorepoints_restore_points', snapshot)).toBeGreaterThan(0);
    expect(sample(text, 'restorepoints_restore_points_size_bytes', snapshot)).toBeGreaterThan(0);
    expect(sample(text, 'restorepoints_stale_workloads', snapshot)).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'restorepoints_destination_stale', snapshot)).toBe(0);
    expect(sample(text, 'restorepoints_appliance_up', { appliance: 'weu' })).toBe(1);
    expect(sample(text, 'restorepoints_appliance_up', { appliance: 'down' })).toBe(0);
    // The unreachable appliance has thresholds and no point: stale, as the digest says.
    expect(sample(text, 'restorepoints_destination_stale', { appliance: 'down', destination: 'Snapshot' })).toBe(1);
    expect(sample(text, 'restorepoints_latest_restore_point_age_seconds', { appliance: 'down' })).toBeNull();
    expect(sample(text, 'restorepoints_appliance_read_duration_seconds_count', { appliance: 'weu', result: 'ok' })).toBe(2);
    expect(sample(text, 'restorepoints_appliance_read_errors_total', { appliance: 'down' })).toBe(2);
    expect(sample(text, 'restorepoints_appliance_read_errors_total', { appliance: 'weu' })).toBe(0);
    expect(sample(text, 'restorepoints_slack_handled_total', { kind: 'command', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'restorepoints_slack_handled_total', { kind: 'mention', outcome: 'ok' })).toBe(0);
    expect(sample(text, 'restorepoints_digests_total', { result: 'appliance_unreadable' })).toBe(1);
    expect(sample(text, 'restorepoints_digests_total', { result: 'failed_channel' })).toBe(1);
    expect(sample(text, 'restorepoints_digests_total', { result: 'ok' })).toBe(0);
    expect(sample(text, 'restorepoints_digest_last_posted_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 60);
    // Another bot in the same process has a registry of its own.
    const other = await startBot(testConfig(slack, [applianceFor(simulator, 'other')]));
    const otherText = (await get(`${other.base}/metrics`)).body;
    expect(sample(otherText, 'restorepoints_slack_handled_total', { kind: 'command', outcome: 'ok' })).toBe(0);
    expect(otherText).not.toContain('appliance="weu"');
  });

  it('renews a reading for a scrape when nobody asked anything (at most once per freshness window)', async () => {
    const { base } = await startBot(testConfig(slack, [applianceFor(simulator, 'quiet')], { cacheTtlMs: 60_000 }));
    const logins = simulator.stats.passwordLogins;
    const first = (await get(`${base}/metrics`)).body;
    expect(sample(first, 'restorepoints_latest_restore_point_age_seconds', { appliance: 'quiet', destination: 'Snapshot' })).toBeGreaterThan(0);
    await get(`${base}/metrics`);
    expect(simulator.stats.passwordLogins).toBe(logins + 1);
    expect(sample((await get(`${base}/metrics`)).body, 'restorepoints_appliance_read_duration_seconds_count', { appliance: 'quiet' })).toBe(1);
  });

  it('counts a digest posted with every appliance read as ok', async () => {
    const { bot, base } = await startBot(testConfig(slack, [applianceFor(simulator, 'weu')], { digest: { channels: ['CDIGEST002'], cron: '0 8 * * *', timeZone: 'UTC' } }));
    await bot.bot.runDigest();
    expect(sample((await get(`${base}/metrics`)).body, 'restorepoints_digests_total', { result: 'ok' })).toBe(1);
  });
});

describe('Socket Mode: the route server on PORT', () => {
  it('serves the same routes, 404 elsewhere, 405 for other methods', async () => {
    let problems: string[] = ['slack: not connected'];
    const metrics = createMetrics({ processMetrics: false });
    const server = await startRouteServer([healthRoute, readinessRoute(async () => problems), metricsRoute(() => metrics.render())], 0);
    try {
      const base = `http://127.0.0.1:${server.port}`;
      expect(await get(`${base}/healthz`)).toMatchObject({ status: 200 });
      expect(await get(`${base}/readyz`)).toMatchObject({ status: 503, body: 'slack: not connected\n' });
      problems = [];
      expect(await get(`${base}/readyz`)).toMatchObject({ status: 200, body: 'ready\n' });
      expect((await get(`${base}/metrics`)).body).toContain('# TYPE restorepoints_digests_total counter');
      expect((await get(`${base}/nope`)).status).toBe(404);
      expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
  });

  it('judges Slack first, then each appliance', async () => {
    const check = readinessCheck({ slack: () => 'not connected', readers: () => [], cacheTtlMs: 0 });
    expect(await check()).toEqual(['slack: not connected']);
  });
});

describe('connections that idle or dribble', () => {
  const SHORT = { idleMs: 600, keepAliveMs: 300, headersMs: 800, requestMs: 1500 };

  /** Opens `count` sockets: some send nothing, some half a request head, some a request and then idle. */
  async function openIdle(port: number, count: number): Promise<Array<Promise<number>>> {
    const closed: Array<Promise<number>> = [];
    for (let index = 0; index < count; index++) {
      const socket = connect({ port, host: '127.0.0.1' });
      await new Promise<void>((resolve, reject) => socket.once('connect', () => resolve()).once('error', reject));
      socket.on('error', () => undefined);
      socket.resume();
      closed.push(new Promise((resolve) => socket.once('close', () => resolve(Date.now()))));
      if (index % 3 === 1) socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
      if (index % 3 === 2) socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    }
    return closed;
  }

  it('are closed by the bot in HTTP mode (Bolt\'s server)', async () => {
    const bot = await startTestBot(testConfig(slack, [applianceFor(simulator)]), { httpTimeouts: SHORT });
    running.push(bot);
    const started = Date.now();
    const closed = await openIdle(bot.bot.port, 30);
    const times = await Promise.all(closed);
    // Node checks header and request timeouts every few seconds; generous bound, far below "never".
    expect(Math.max(...times) - started).toBeLessThan(40_000);
    expect((await fetch(`http://127.0.0.1:${bot.bot.port}/healthz`)).status).toBe(200);
  });

  it('are closed by the route server Socket Mode uses', async () => {
    const server = await startRouteServer([healthRoute], 0, SHORT);
    try {
      const closed = await openIdle(server.port, 30);
      await Promise.all(closed);
      expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('a bot token Slack refuses', () => {
  it('makes /readyz say so until Slack takes it, and is logged once, plainly, with the fix', async () => {
    const { captureLogger } = await import('../support/log-capture.ts');
    const { logger, lines, raw } = captureLogger('info');
    slack.setDefault('auth.test', { body: { ok: false, error: 'invalid_auth' } });
    try {
      const { bot, base } = await (async () => {
        const started = await startTestBot(testConfig(slack, [applianceFor(simulator)]), { logger });
        running.push(started);
        return { bot: started, base: `http://127.0.0.1:${started.bot.port}` };
      })();
      await slack.waitFor(() => lines.some((l) => l.msg.startsWith('Slack refused the bot token')), 5000, 'the refusal in the log');
      const ready = await get(`${base}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.body).toMatch(/^slack: Slack refused the bot token \(invalid_auth\): set SLACK_BOT_TOKEN/m);
      // Requests keep coming: still one line about it, and no stack trace.
      for (let index = 0; index < 3; index++) await bot.post(slashCommandBody({ text: '', response_url: slack.responseUrl(`refused-${index}`) }), FORM);
      expect(lines.filter((l) => /refused the bot token|invalid_auth/.test(JSON.stringify(l)) && l.level !== 'debug')).toHaveLength(1);
      expect(raw.join('')).not.toMatch(/"stack"|\n\s+at /);
      // Slack takes the token again (fixed upstream): readiness follows after a re-check.
      slack.setDefault('auth.test', null);
      const deadline = Date.now() + 12_000;
      let body = ready.body;
      while (/refused the bot token/.test(body) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        body = (await get(`${base}/readyz`)).body;
      }
      expect(body).not.toMatch(/refused the bot token/);
      expect(lines.some((l) => l.msg === 'Slack takes the bot token now')).toBe(true);
    } finally {
      slack.setDefault('auth.test', null);
    }
  }, 30_000);
});
