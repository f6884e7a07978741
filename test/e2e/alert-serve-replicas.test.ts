/**
 * Two real `serve` processes share the alert state in a real Redis while the simulator changes
 * under them: one watches (the lease holder), each transition is posted once, and when the holder
 * gets SIGTERM the other takes the watch over and posts the next transition, once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SIM_USER, startSimulator, type Simulator } from '../../src/simulator/server.ts';
import { openRedisStore } from '../../src/state/redis.ts';
import type { StateStore } from '../../src/state/store.ts';
import { BOT_TOKEN, SIGNING_SECRET } from '../support/bot.ts';
import { spawnServe, type ServeProcess } from '../support/cli.ts';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { changingVms } from '../support/changing-vms.ts';
import { skipWithoutRedis, startRedisServer, type RedisServer } from '../support/redis-server.ts';
import { closedPort } from '../support/veeam.ts';

const noRedis = skipWithoutRedis('test/e2e/alert-serve-replicas.test.ts');

const CHANNEL = 'CALERTP01';
const { dataset, setVm } = changingVms();

let redis: RedisServer;
let slack: FakeSlack;
let simulator: Simulator;
let store: StateStore;
let dir: string;
const replicas: ServeProcess[] = [];

const accepted = () => slack.callsTo('chat.postMessage').filter((call) => call.body['channel'] === CHANNEL && (call.response as { ok?: boolean } | null)?.ok === true);
const rootsAbout = (name: string) => accepted().filter((call) => call.body['thread_ts'] === undefined && String(call.body['text']).includes(name));
const repliesTo = (ts: string) => accepted().filter((call) => call.body['thread_ts'] === ts);
const tsOf = (call: { response: unknown }) => (call.response as { ts: string }).ts;
const leaseHolder = async () => ((await store.read()) as { lease: { by: string } | null } | null)?.lease?.by ?? null;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function serve(env: Record<string, string> = {}): Promise<ServeProcess> {
  const served = spawnServe({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: env['PORT'] ?? String(await closedPort()),
    VEEAM_URL: simulator.url,
    VEEAM_USERNAME: DEFAULT_SIM_USER.username,
    VEEAM_PASSWORD: DEFAULT_SIM_USER.password,
    REDIS_URL: redis.url,
    ALERT_CHANNELS: CHANNEL,
    WATCH_EVERY: '1s',
    CACHE_TTL: '0s',
    STATE_FILE: join(dir, 'unused.db'),
    LOG_LEVEL: 'debug',
    ...env,
  });
  replicas.push(served);
  await slack.waitFor(() => {
    if (served.child.exitCode !== null) throw new Error(`serve exited:\n${served.stderr()}`);
    return served.stderr().includes('"msg":"restorepoints is running"');
  }, 20_000, 'serve to start');
  return served;
}

beforeAll(async () => {
  if (noRedis) return;
  dir = await mkdtemp(join(tmpdir(), 'restorepoints-alert-serve-'));
  redis = await startRedisServer();
  slack = await startFakeSlack();
  setVm('vm-a', 1);
  setVm('vm-b', 1);
  simulator = await startSimulator({ dataset });
  store = await openRedisStore(redis.url);
});
afterAll(async () => {
  if (noRedis) return;
  for (const replica of replicas) {
    if (replica.child.exitCode === null && replica.child.signalCode === null) {
      replica.child.kill('SIGTERM');
      await Promise.race([replica.exited, pause(15_000)]);
      if (replica.child.exitCode === null) replica.child.kill('SIGKILL');
    }
  }
  await store.close();
  await simulator.close();
  await slack.close();
  await redis.stop();
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(noRedis)('two serve processes sharing the alert state in Redis', () => {
  it('post each transition once, and the other takes the watch over when the holder gets SIGTERM', async () => {
    const both = await Promise.all([serve(), serve()]);
    // The first watch: nothing wrong, so no baseline message at all.
    for (const started = Date.now(); ((await store.read()) as { baselined?: boolean } | null)?.baselined !== true; await pause(50)) {
      expect(Date.now() - started, 'the first watch to record its baseline').toBeLessThan(15_000);
    }

    setVm('vm-a', 40);
    await slack.waitFor(() => rootsAbout('vm-a').length === 1, 15_000, 'vm-a posted');
    await pause(3_000); // several watches, by either replica
    expect(rootsAbout('vm-a')).toHaveLength(1);

    const holderName = await leaseHolder();
    const holder = both.find((replica) => holderName?.includes(`:${replica.child.pid}:`));
    expect(holder, `lease held by ${holderName}`).toBeDefined();
    const other = both.find((replica) => replica !== holder)!;
    holder!.child.kill('SIGTERM');
    expect(await holder!.exited, holder!.stderr()).toMatchObject({ code: 0 });

    // The next transitions: vm-b goes stale, vm-a is fresh again. The other replica tells each once.
    setVm('vm-b', 40);
    setVm('vm-a', 1);
    await slack.waitFor(() => rootsAbout('vm-b').length === 1, 45_000, 'vm-b posted by the other replica');
    const root = rootsAbout('vm-a')[0]!;
    await slack.waitFor(() => repliesTo(tsOf(root)).length === 1, 15_000, 'vm-a resolved in its thread');
    await pause(3_000);
    expect(rootsAbout('vm-b')).toHaveLength(1);
    expect(rootsAbout('vm-a')).toHaveLength(1);
    expect(repliesTo(tsOf(root))).toHaveLength(1);
    expect(JSON.stringify(repliesTo(tsOf(root))[0]!.body)).toContain('Resolved');
    expect(await leaseHolder()).toContain(`:${other.child.pid}:`);
    expect(accepted().filter((call) => String(call.body['text']).includes('already there'))).toHaveLength(0);
  }, 120_000);
});

describe.skipIf(noRedis)('a serve process whose Redis does not answer', () => {
  it('says so on /readyz (alerts: …) and once in the log with the fix, and goes on once Redis answers', async () => {
    const frozen = await startRedisServer();
    process.kill(frozen.pid, 'SIGSTOP');
    let stalled = true;
    try {
      const port = String(await closedPort());
      const served = await serve({ REDIS_URL: frozen.url, PORT: port });
      const readyz = async () => {
        const answer = await fetch(`http://127.0.0.1:${port}/readyz`);
        return { status: answer.status, body: await answer.text() };
      };
      let ready = await readyz();
      for (const started = Date.now(); !/^alerts: /m.test(ready.body); ready = await readyz()) {
        expect(Date.now() - started, `/readyz to name alerts; it says:\n${ready.body}`).toBeLessThan(30_000);
        await pause(200);
      }
      expect(ready.status).toBe(503);
      expect(ready.body).toMatch(/^alerts: the alert state \(redis:\/\/127\.0\.0\.1:\d+.*\) cannot be opened or saved: .*; nothing is posted until it works\. Fix: check that Redis at .* is running and reachable/m);
      const logs = () => served.stderr().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { level: number | string; msg: string; err?: unknown });
      await pause(2_500); // more watches, still failing
      const said = logs().filter((line) => line.msg.includes('Nothing is posted until it can be saved'));
      expect(said).toHaveLength(1);
      expect(said[0]!.msg).toContain('Fix: check that Redis at');
      expect(said[0]!.err).toBeUndefined();

      process.kill(frozen.pid, 'SIGCONT');
      stalled = false;
      for (const started = Date.now(); /^alerts: /m.test((await readyz()).body); await pause(200)) {
        expect(Date.now() - started, 'the next watches to open the state').toBeLessThan(30_000);
      }
      expect(logs().some((line) => line.msg.includes('the alert state can be saved again'))).toBe(true);
      served.child.kill('SIGTERM');
      expect(await served.exited).toMatchObject({ code: 0 });
    } finally {
      if (stalled) process.kill(frozen.pid, 'SIGCONT');
      await frozen.stop();
    }
  }, 120_000);
});
