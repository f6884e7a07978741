/**
 * Two replicas of the bot share the alert state in a real Redis: one watches (the lease holder),
 * each transition is posted once, and when the holder stops the other takes the watch over.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_STATE_KEY, openRedisStore } from '../../src/state/redis.ts';
import { startSimulator, type Simulator } from '../../src/simulator/server.ts';
import { applianceFor, startTestBot, testConfig, type RunningTestBot } from '../support/bot.ts';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { changingVms } from '../support/changing-vms.ts';
import { skipWithoutRedis, startRedisServer, type RedisServer } from '../support/redis-server.ts';

const noRedis = skipWithoutRedis('test/e2e/alert-replicas.test.ts');

const CHANNEL = 'CALERT002';
const { dataset, setVm } = changingVms();

let redis: RedisServer;
let slack: FakeSlack;
let simulator: Simulator;
const replicas: RunningTestBot[] = [];
const posts = () => slack.callsTo('chat.postMessage').filter((call) => call.body['channel'] === CHANNEL && (call.response as { ok?: boolean } | null)?.ok === true);
const about = (name: string) => posts().filter((call) => call.body['thread_ts'] === undefined && String(call.body['text']).includes(name));

beforeAll(async () => {
  if (noRedis) return;
  redis = await startRedisServer();
  slack = await startFakeSlack();
  setVm('vm-a', 1);
  setVm('vm-b', 1);
  simulator = await startSimulator({ dataset });
  const config = testConfig(slack, [applianceFor(simulator)], { redisUrl: redis.url, alerts: { channels: [CHANNEL], everyMs: 150, stateFile: '/nonexistent/unused.db' } });
  for (let index = 0; index < 2; index++) replicas.push(await startTestBot(config));
});
afterAll(async () => {
  if (noRedis) return;
  for (const replica of replicas) await replica.stop();
  await simulator.close();
  await slack.close();
  await redis.stop();
});

describe.skipIf(noRedis)('two replicas sharing the alert state in Redis', () => {
  it('post each new problem once, and the other replica takes the watch over when the holder stops', async () => {
    // The first watch: nothing wrong, so no baseline message at all.
    const store = await openRedisStore(redis.url);
    for (let tries = 0; !((await store.read()) as { baselined?: boolean } | null)?.baselined; tries++) {
      expect(tries).toBeLessThan(400);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    setVm('vm-a', 40);
    await slack.waitFor(() => about('vm-a').length === 1, 8000, 'vm-a posted');
    await new Promise((resolve) => setTimeout(resolve, 600)); // several watches by both replicas
    expect(about('vm-a')).toHaveLength(1);

    const holder = ((await store.read()) as { lease: { by: string } }).lease.by;
    const index = replicas.findIndex((replica) => replica.bot.alerts?.watch.owner === holder);
    expect(index).toBeGreaterThanOrEqual(0);
    await replicas[index]!.stop();
    setVm('vm-b', 40);
    await slack.waitFor(() => about('vm-b').length === 1, 8000, 'vm-b posted by the other replica');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(about('vm-b')).toHaveLength(1);
    expect(((await store.read()) as { lease: { by: string } }).lease.by).toBe(replicas[1 - index]!.bot.alerts!.watch.owner);
    expect(posts().filter((call) => String(call.body['text']).includes('already there'))).toHaveLength(0);
    expect(ALERT_STATE_KEY).toBe('restorepoints:alerts:state');
    await store.close();
  });
});
