/**
 * Graceful shutdown of a real `serve` process (HTTP mode): a stop signal during a slow
 * appliance read stops new requests at once, lets the answer in flight reach its response_url,
 * logs out of the appliance and exits 0 within the 10-second grace.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoDataset } from '../../src/simulator/dataset.ts';
import { DEFAULT_SIM_USER, startSimulator, type Simulator } from '../../src/simulator/server.ts';
import { spawnServe } from '../support/cli.ts';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { postSigned, slashCommandBody } from '../support/slack-signing.ts';
import { closedPort } from '../support/veeam.ts';

const SIGNING_SECRET = 'shutdown-test-signing-secret';

let slack: FakeSlack;
let simulator: Simulator;

beforeAll(async () => {
  slack = await startFakeSlack();
  simulator = await startSimulator({ dataset: demoDataset({ now: Date.now() }) });
});
afterAll(async () => {
  await simulator.close();
  await slack.close();
});

interface Served {
  readonly child: ChildProcess;
  readonly port: number;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

async function serve(): Promise<Served> {
  const port = await closedPort();
  const { child, stderr, exited } = spawnServe({
    SLACK_BOT_TOKEN: 'xoxb-shutdown-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: String(port),
    VEEAM_URL: simulator.url,
    VEEAM_USERNAME: DEFAULT_SIM_USER.username,
    VEEAM_PASSWORD: DEFAULT_SIM_USER.password,
    CACHE_TTL: '0s',
  });
  const deadline = Date.now() + 15_000;
  while (!stderr().includes('"msg":"restorepoints is running"')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`serve did not start:\n${stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return { child, port, stderr, exited };
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

describe('serve: graceful shutdown', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('on %s during a slow read: no new requests, the answer still arrives, logout, exit 0', async (signal) => {
    const served = await serve();
    try {
      const base = `http://127.0.0.1:${served.port}`;
      expect(await answers(`${base}/healthz`)).toBe(true);
      simulator.faults.latencyMs = 700;
      const logoutsBefore = simulator.stats.logouts;
      const requestsBefore = simulator.stats.requests;

      const responseUrl = slack.responseUrl(`shutdown-${signal}`);
      const acked = await postSigned(`${base}/slack/events`, slashCommandBody({ text: '', response_url: responseUrl }), 'application/x-www-form-urlencoded', {
        secret: SIGNING_SECRET,
      });
      expect(acked.status).toBe(200);
      // The read has begun: the appliance has been asked (and answers slowly).
      await slack.waitFor(() => simulator.stats.requests > requestsBefore, 5000, 'the read to start');
      expect(slack.responses.some((post) => post.url === responseUrl)).toBe(false);

      const signalled = Date.now();
      served.child.kill(signal);

      // New requests are refused while the answer is still being made.
      const refusedBy = Date.now() + 3000;
      while ((await answers(`${base}/healthz`)) && Date.now() < refusedBy) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await answers(`${base}/healthz`)).toBe(false);
      expect(slack.responses.some((post) => post.url === responseUrl), 'the answer came before the server stopped').toBe(false);

      // The answer in flight still arrives, then the process logs out and exits 0.
      await slack.waitFor(() => slack.responses.some((post) => post.url === responseUrl && post.status === 200), 10_000, 'the answer in flight');
      const exit = await served.exited;
      expect(exit, served.stderr()).toMatchObject({ code: 0, signal: null });
      expect(exit.at - signalled).toBeLessThan(10_000);
      expect(simulator.stats.logouts).toBe(logoutsBefore + 1);
      expect(served.stderr()).toContain(`"signal":"${signal}"`);
      expect(served.stderr()).toContain('"msg":"stopped"');
      // Nothing held the process after the stop: it ended by itself, not by the exit guard.
      expect(served.stderr()).not.toContain('exiting anyway');
    } finally {
      simulator.faults.latencyMs = 0;
      if (served.child.exitCode === null) served.child.kill('SIGKILL');
    }
  }, 30_000);
});

describe('bot.stop', () => {
  it('lets a running digest finish, says it is stopping meanwhile, and logs out', async () => {
    const { applianceFor, startTestBot, testConfig } = await import('../support/bot.ts');
    const running = await startTestBot(testConfig(slack, [applianceFor(simulator, 'weu')], { digest: { channels: ['CSTOP00001'], cron: '0 8 * * *', timeZone: 'UTC' } }));
    simulator.faults.latencyMs = 400;
    try {
      const logoutsBefore = simulator.stats.logouts;
      const digest = running.bot.runDigest();
      await slack.waitFor(() => simulator.stats.requests > 0, 2000);
      const stopped = running.bot.stop(10_000);
      expect(await running.bot.readiness()).toContain('slack: stopping');
      await stopped;
      const run = await digest;
      expect(run.outcomes).toEqual([expect.objectContaining({ channel: 'CSTOP00001', ok: true })]);
      expect(simulator.stats.logouts).toBe(logoutsBefore + 1);
    } finally {
      simulator.faults.latencyMs = 0;
    }
  });

  it('gives up waiting after the grace period', async () => {
    const { applianceFor, startTestBot, testConfig } = await import('../support/bot.ts');
    const running = await startTestBot(testConfig(slack, [applianceFor(simulator, 'weu')], { digest: { channels: ['CSTOP00002'], cron: '0 8 * * *', timeZone: 'UTC' } }), {
      logoutTimeoutMs: 500,
    });
    simulator.faults.latencyMs = 8000;
    try {
      void running.bot.runDigest().catch(() => null);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = Date.now();
      await running.bot.stop(300);
      // The grace, then at most the logout bound: never the stuck read's 8 seconds.
      expect(Date.now() - started).toBeLessThan(300 + 500 + 700);
    } finally {
      simulator.faults.latencyMs = 0;
    }
  });
});

describe('serve --demo', () => {
  it('says where it listens, when the next digest goes out, and that it stopped, though --demo logs only warnings otherwise', async () => {
    const port = await closedPort();
    const child = spawn(process.execPath, [fileURLToPath(new URL('../../bin/restorepoints.ts', import.meta.url)), 'serve', '--demo'], {
      env: {
        PATH: process.env['PATH'] ?? '',
        TZ: 'UTC',
        SLACK_BOT_TOKEN: 'xoxb-demo-lifecycle-test',
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        PORT: String(port),
        DIGEST_CHANNELS: 'CDEMO00001',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await slack.waitFor(() => stderr.includes('restorepoints is running') || child.exitCode !== null, 20_000, 'serve --demo to start');
      expect(stderr).toContain(`listening on port ${port}`);
      expect(stderr).toMatch(/next digest .* to CDEMO00001/);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).toContain('"msg":"stopped"');
      // Still quieter than the default: no per-request chatter at info.
      expect(stderr).not.toContain('digest schedule stopped');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 30_000);
});
