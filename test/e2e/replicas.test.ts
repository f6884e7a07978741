/**
 * Two replicas of the bot share one real Redis: each digest fire is posted once, and a mention
 * delivered to both (as a retry may be) is answered once. Then real `serve` processes under
 * faults: Redis down, a replica stopped (SIGTERM) before posting, a replica starting after a
 * fire nobody posted.
 */
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectRedisCoordinator } from '../../src/digest/redis-coordinator.ts';
import { silentLogger } from '../../src/log.ts';
import { demoDataset } from '../../src/simulator/dataset.ts';
import { DEFAULT_SIM_USER, startSimulator, type Simulator } from '../../src/simulator/server.ts';
import { applianceFor, BOT_TOKEN, SIGNING_SECRET, startTestBot, testConfig, type RunningTestBot } from '../support/bot.ts';
import { spawnServe, type ServeProcess } from '../support/cli.ts';
import { closedPort } from '../support/veeam.ts';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { skipWithoutRedis, startRedisServer, type RedisServer } from '../support/redis-server.ts';
import { eventCallbackBody, slashCommandBody, TEST_USER_ID } from '../support/slack-signing.ts';

const skip = skipWithoutRedis('test/e2e/replicas.test.ts');
let redis: RedisServer;
let slack: FakeSlack;
let simulator: Simulator;
const replicas: RunningTestBot[] = [];

beforeAll(async () => {
  if (skip) return;
  redis = await startRedisServer();
  slack = await startFakeSlack();
  simulator = await startSimulator({ dataset: demoDataset({ now: Date.now() }) });
  // Every second, so the test sees real fires without waiting for 08:00.
  const config = testConfig(slack, [applianceFor(simulator)], { digest: { channels: ['CDIGEST001'], cron: '* * * * * *', timeZone: 'UTC' } });
  for (let index = 0; index < 2; index++) {
    const coordinator = await connectRedisCoordinator(redis.url, silentLogger());
    replicas.push(await startTestBot(config, { coordinator }));
  }
});
afterAll(async () => {
  if (skip) return;
  for (const replica of replicas) await replica.stop();
  await simulator.close();
  await slack.close();
  await redis.stop();
});

describe.skipIf(skip)('two replicas sharing Redis', () => {
  it('post each digest fire exactly once', async () => {
    await slack.waitFor(() => slack.callsTo('chat.postMessage').filter((call) => call.body['channel'] === 'CDIGEST001').length >= 2, 6000);
    for (const replica of replicas) await replica.bot.schedule?.stop();
    await Promise.all(replicas.map((replica) => replica.bot.inFlight.drain(5000)));
    const posts = slack.callsTo('chat.postMessage').filter((call) => call.body['channel'] === 'CDIGEST001').length;
    const client = createClient({ url: redis.url });
    await client.connect();
    const fires = await client.keys('restorepoints:restorepoints-digest:*');
    await client.close();
    expect(fires.length).toBeGreaterThanOrEqual(2);
    expect(posts).toBe(fires.length);
  });

  it('answer a mention delivered to both replicas once', async () => {
    const event = { type: 'app_mention', user: TEST_USER_ID, text: '<@UBOT> stale', ts: '1764159999.000100', channel: 'CREPLICA01', event_ts: '1764159999.000100' };
    const body = eventCallbackBody(event, { eventId: 'Ev0REPLICA1' });
    await Promise.all(replicas.map((replica) => replica.post(body, 'application/json')));
    await slack.waitFor(() => slack.callsTo('chat.postMessage').some((call) => call.body['channel'] === 'CREPLICA01'), 6000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(slack.callsTo('chat.postMessage').filter((call) => call.body['channel'] === 'CREPLICA01')).toHaveLength(1);
  });
});

describe.skipIf(skip)('a replica whose Redis stalls', () => {
  it('still acks a slash command well inside 3 s and answers it', async () => {
    const frozen = await startRedisServer();
    const coordinator = await connectRedisCoordinator(frozen.url, silentLogger());
    const bot = await startTestBot(testConfig(slack, [applianceFor(simulator)]), { coordinator });
    process.kill(frozen.pid, 'SIGSTOP');
    try {
      const responseUrl = slack.responseUrl('stalled-redis');
      const sent = Date.now();
      const acked = await bot.post(slashCommandBody({ text: 'stale', response_url: responseUrl }), 'application/x-www-form-urlencoded');
      expect(acked.status).toBe(200);
      expect(Date.now() - sent).toBeLessThan(2_000);
      await slack.waitFor(() => slack.responses.some((post) => post.url === responseUrl), 8_000, 'the answer');
    } finally {
      process.kill(frozen.pid, 'SIGCONT');
      await bot.stop();
      await frozen.stop();
    }
  }, 30_000);
});

/** A cron expression (with seconds) that fires once a day at `at`, in UTC. */
function cronAt(at: Date): string {
  return `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} * * *`;
}

interface Replica extends ServeProcess {
  readonly base: string;
  /** The parsed JSON log lines so far. */
  lines(): Array<Record<string, unknown> & { msg: string }>;
}

async function serveReplica(env: Record<string, string>): Promise<Replica> {
  const port = await closedPort();
  const served = spawnServe({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: String(port),
    VEEAM_URL: simulator.url,
    VEEAM_USERNAME: DEFAULT_SIM_USER.username,
    VEEAM_PASSWORD: DEFAULT_SIM_USER.password,
    DIGEST_TIMEZONE: 'UTC',
    LOG_LEVEL: 'debug',
    ...env,
  });
  const replica: Replica = {
    ...served,
    base: `http://127.0.0.1:${port}`,
    lines: () =>
      served
        .stderr()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown> & { msg: string }),
  };
  started.push(replica);
  await slack.waitFor(() => {
    if (served.child.exitCode !== null) throw new Error(`serve exited:\n${served.stderr()}`);
    return served.stderr().includes('"msg":"restorepoints is running"');
  }, 20_000, 'serve to start');
  return replica;
}

const started: Replica[] = [];
afterEach(async () => {
  simulator.faults.latencyMs = 0;
  for (const replica of started.splice(0)) {
    if (replica.child.exitCode === null && replica.child.signalCode === null) {
      replica.child.kill('SIGTERM');
      await Promise.race([replica.exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      if (replica.child.exitCode === null) replica.child.kill('SIGKILL');
    }
  }
});

const postsTo = (channel: string) => slack.callsTo('chat.postMessage').filter((call) => call.body['channel'] === channel);
const logged = (replica: Replica, text: string) => replica.lines().some((line) => line.msg.includes(text));

describe.skipIf(skip)('real serve replicas under faults', () => {
  it('start and answer without Redis, say so on /readyz, and still post the fire (uncoordinated, logged)', async () => {
    const gone = await startRedisServer();
    await gone.stop();
    // Each replica waits 5 s for Redis at start before starting without it.
    const fire = new Date(Math.ceil((Date.now() + 16_000) / 1000) * 1000);
    const env = { REDIS_URL: gone.url, DIGEST_CHANNELS: 'CNOREDIS01', DIGEST_CRON: cronAt(fire) };
    const replicas = await Promise.all([serveReplica(env), serveReplica(env)]);
    for (const replica of replicas) {
      expect((await fetch(`${replica.base}/healthz`)).status).toBe(200);
      const ready = await fetch(`${replica.base}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.text()).toMatch(/^redis: unreachable at redis:\/\/127\.0\.0\.1:\d+/m);
    }
    await slack.waitFor(() => postsTo('CNOREDIS01').length >= 2, 30_000, 'both replicas to post').catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n${replicas.map((r) => r.lines().filter((l) => /digest|Redis|redis/.test(l.msg)).map((l) => `${String(l["pid"])} ${l.msg}`).join("\n")).join("\n---\n")}`);
    });
    for (const replica of replicas) expect(logged(replica, 'posting this digest without coordination')).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(postsTo('CNOREDIS01')).toHaveLength(2);
  }, 60_000);

  it('post the fire when Redis stalls through it (12 s, SIGSTOP), within the command timeout, and never write the claim afterwards', async () => {
    const frozen = await startRedisServer();
    let stalled = false;
    try {
      const fire = new Date(Math.ceil((Date.now() + 12_000) / 1000) * 1000);
      const env = { REDIS_URL: frozen.url, DIGEST_CHANNELS: 'CSTALLED01', DIGEST_CRON: cronAt(fire) };
      const replicas = await Promise.all([serveReplica(env), serveReplica(env)]);
      expect(replicas.every((replica) => logged(replica, 'connected to Redis'))).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, fire.getTime() - 2_000 - Date.now())));
      process.kill(frozen.pid, 'SIGSTOP');
      stalled = true;
      const stalledAt = Date.now();
      await slack.waitFor(() => postsTo('CSTALLED01').length >= 2, 15_000, 'both replicas to post while Redis stalls');
      // The 3 s command timeout holds: both posted long before Redis came back.
      expect(Date.now() - stalledAt).toBeLessThan(9_000);
      for (const replica of replicas) expect(logged(replica, 'posting this digest without coordination')).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, stalledAt + 12_000 - Date.now())));
      process.kill(frozen.pid, 'SIGCONT');
      stalled = false;
      const client = createClient({ url: frozen.url });
      await client.connect();
      try {
        await new Promise((resolve) => setTimeout(resolve, 300)); // the replicas' queued claims run now
        expect(await client.keys('restorepoints:restorepoints-digest:*')).toEqual([]);
      } finally {
        await client.close();
      }
      expect(postsTo('CSTALLED01')).toHaveLength(2);
    } finally {
      if (stalled) process.kill(frozen.pid, 'SIGCONT');
      await frozen.stop();
    }
  }, 90_000);

  it('post a fire once when the replica that claimed it gets SIGTERM while reading a slow appliance', async () => {
    simulator.faults.latencyMs = 60_000;
    const fire = new Date(Math.ceil((Date.now() + 9_000) / 1000) * 1000);
    const env = { REDIS_URL: redis.url, DIGEST_CHANNELS: 'CSTOPPED01', DIGEST_CRON: cronAt(fire) };
    const replicas = await Promise.all([serveReplica(env), serveReplica(env)]);
    await slack.waitFor(() => replicas.some((replica) => logged(replica, 'digest run started')), 30_000, 'a replica to claim the fire');
    const claimer = replicas.find((replica) => logged(replica, 'digest run started'))!;
    const other = replicas.find((replica) => replica !== claimer)!;
    await slack.waitFor(() => logged(other, 'another replica posts this one'), 5_000, 'the other replica to skip it');

    claimer.child.kill('SIGTERM');
    const exit = await claimer.exited;
    expect(exit, claimer.stderr()).toMatchObject({ code: 0 });
    expect(logged(claimer, 'released the claim')).toBe(true);
    expect(postsTo('CSTOPPED01')).toHaveLength(0);

    simulator.faults.latencyMs = 0;
    await slack.waitFor(() => postsTo('CSTOPPED01').length === 1, 30_000, 'the other replica to post the fire');
    expect(logged(other, 'released it unposted: posting it from this replica')).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(postsTo('CSTOPPED01')).toHaveLength(1);
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      expect(await client.exists(`restorepoints:posted:restorepoints-digest:${fire.toISOString()}`)).toBe(1);
    } finally {
      await client.close();
    }
  }, 90_000);

  it('post a fire nobody posted when a replica starts within the grace window, once', async () => {
    const fire = new Date(Math.floor((Date.now() - 60_000) / 1000) * 1000);
    const env = { REDIS_URL: redis.url, DIGEST_CHANNELS: 'CCATCHUP01', DIGEST_CRON: cronAt(fire) };
    const first = await serveReplica(env);
    await slack.waitFor(() => postsTo('CCATCHUP01').length === 1, 20_000, 'the missed digest');
    expect(logged(first, 'the last digest was not posted')).toBe(true);
    const second = await serveReplica(env);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(postsTo('CCATCHUP01')).toHaveLength(1);
    expect(logged(second, 'the last digest was not posted')).toBe(false);
  }, 60_000);
});
