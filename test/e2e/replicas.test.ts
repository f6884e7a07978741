/**
 * Two replicas of the bot share one real Redis: each digest fire is posted once, and a mention
 * delivered to both (as a retry may be) is answered once.
 */
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedisCoordinator } from '../../src/digest/redis-coordinator.ts';
import { silentLogger } from '../../src/log.ts';
import { demoDataset } from '../../src/simulator/dataset.ts';
import { startSimulator, type Simulator } from '../../src/simulator/server.ts';
import { applianceFor, startTestBot, testConfig, type RunningTestBot } from '../support/bot.ts';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { skipWithoutRedis, startRedisServer, type RedisServer } from '../support/redis-server.ts';
import { eventCallbackBody, TEST_USER_ID } from '../support/slack-signing.ts';

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
