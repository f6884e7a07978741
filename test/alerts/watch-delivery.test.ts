/**
 * The watch against a real simulator, an in-memory state store that can be made to fail, and a
 * Web API client that counts what is in flight: a state that cannot be saved posts nothing (and
 * nothing twice), and many new problems go out a few at a time, slowed by Slack's Retry-After.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AlertStateUnavailable, createAlertWatch, type AlertClient, type AlertWatch } from '../../src/alerts/watch.ts';
import type { Dataset, SimPoint } from '../../src/simulator/dataset.ts';
import { startSimulator, type Simulator } from '../../src/simulator/server.ts';
import type { Change, StateStore } from '../../src/state/store.ts';
import { applianceFor, testFleet } from '../support/bot.ts';
import type { Config } from '../../src/config/types.ts';
import { captureLogger } from '../support/log-capture.ts';

const HOUR = 3_600_000;
let points: SimPoint[] = [];
function setVm(name: string, hoursOld: number): void {
  points = [...points.filter((point) => point.workload !== name), {
    id: `point-${name}-${hoursOld}`, kind: 'vm', workload: name, pointInTime: Date.now() - hoursOld * HOUR, sizeBytes: 1, destination: 'Snapshot',
    type: 'Full', corrupted: false, jobSessionId: `session-${name}`, region: 'westeurope',
  }];
}
const dataset: Dataset = { collections: { vm: { form: 'points', get count() { return points.length; }, at: (index: number) => points[index]! } }, jobSession: () => null };

type Doc = { outbox?: unknown[] } | null;
/** An in-memory store; `fail` (when set) refuses the writes it matches, as a Redis gone away would. */
function memoryStore() {
  let document: unknown = null;
  const store = {
    fail: null as ((before: Doc, after: Doc) => boolean) | null,
    where: 'memory',
    read: async () => document,
    async update<T>(change: Change<T>): Promise<T> {
      const { value, result } = change(document);
      if (store.fail?.(document as Doc, value as Doc)) throw new Error('connection lost');
      document = structuredClone(value);
      return result;
    },
    close: async () => undefined,
  };
  return store satisfies StateStore;
}

/** A Web API client that records roots and counts posts in flight. */
function countingClient(script: Array<'ratelimited' | 'ok' | 'no-answer' | 'refused'> = []) {
  const posted: string[] = [];
  let inFlight = 0;
  let most = 0;
  let ts = 0;
  const client: AlertClient = {
    chat: {
      async postMessage(args) {
        inFlight++;
        most = Math.max(most, inFlight);
        try {
          await new Promise((resolve) => setTimeout(resolve, 5));
          const next = script.shift();
          if (next === 'ratelimited') throw Object.assign(new Error('rate limited'), { code: 'slack_webapi_rate_limited_error', retryAfter: 2 });
          if (next === 'no-answer') throw Object.assign(new Error('timed out'), { code: 'slack_webapi_request_error', original: { name: 'TimeoutError' } });
          if (next === 'refused') throw new Error('something else went wrong');
          posted.push(args.text);
          return { ts: `1764150000.${String(++ts).padStart(6, '0')}` };
        } finally {
          inFlight--;
        }
      },
      update: async () => ({}),
    },
  };
  return { client, posted, most: () => most };
}

let simulator: Simulator;
let config: Config;
beforeAll(async () => {
  simulator = await startSimulator({ dataset });
  config = { appliances: [applianceFor(simulator)], cacheTtlMs: 0, failureWindowMs: 86_400_000 } as unknown as Config;
});
afterAll(() => simulator.close());
beforeEach(() => {
  points = [];
  setVm('vm-ok', 1);
});

function watchWith(store: StateStore, client: AlertClient, extra: { now?: () => number; sleep?: (ms: number) => Promise<void>; sendLanes?: number } = {}) {
  const { logger, lines } = captureLogger();
  const watch: AlertWatch = createAlertWatch({
    fleet: testFleet(config), store, channels: ['CALERT009'], everyMs: 3_600_000, logger, client: () => client,
    stateFix: 'check that Redis is running', ...extra,
  });
  return { watch, lines };
}

describe('a watch whose state cannot be saved', () => {
  it('posts nothing, says so once plainly with the fix, tries again next watch, and posts once when it can', async () => {
    const store = memoryStore();
    const slack = countingClient();
    const { watch, lines } = watchWith(store, slack.client);
    expect(await watch.runOnce()).toBe(true); // the baseline: nothing wrong
    store.fail = () => true;
    setVm('vm-a', 40);
    await expect(watch.runOnce()).rejects.toBeInstanceOf(AlertStateUnavailable);
    await expect(watch.runOnce()).rejects.toBeInstanceOf(AlertStateUnavailable);
    expect(slack.posted).toEqual([]);
    expect(watch.problem()).toMatch(/^the alert state \(memory\) cannot be opened or saved: connection lost; nothing is posted until it works\. Fix: check that Redis is running$/);
    const errors = lines.filter((line) => line.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toContain('Nothing is posted until it can be saved');
    expect(errors[0]!.msg).toContain('Fix: check that Redis is running.');
    expect(JSON.stringify(errors[0])).not.toMatch(/stack|at .*\.ts:\d+/);

    store.fail = null;
    expect(await watch.runOnce()).toBe(true);
    expect(watch.problem()).toBeNull();
    expect(slack.posted.filter((text) => text.includes('vm-a'))).toHaveLength(1);
    expect(lines.some((line) => line.msg.includes('can be saved again'))).toBe(true);
  });

  it('saves what it sent before anything else, so a root sent while the state could not be saved is never sent again', async () => {
    const store = memoryStore();
    const slack = countingClient();
    let clock = Date.now();
    const { watch } = watchWith(store, slack.client, { now: () => clock });
    expect(await watch.runOnce()).toBe(true);
    // Only the save after sending fails (the outbox would shrink): the root is out, the state does not know.
    store.fail = (before, after) => (after?.outbox?.length ?? 0) < (before?.outbox?.length ?? 0);
    setVm('vm-b', 40);
    await expect(watch.runOnce()).rejects.toBeInstanceOf(AlertStateUnavailable);
    expect(slack.posted.filter((text) => text.includes('vm-b'))).toHaveLength(1);
    store.fail = null;
    clock += 10 * 60_000; // long past the claim on it
    expect(await watch.runOnce()).toBe(true);
    expect(await watch.runOnce()).toBe(true);
    expect(slack.posted.filter((text) => text.includes('vm-b'))).toHaveLength(1);
    expect((await store.read() as { outbox: unknown[] }).outbox).toEqual([]);
  });
});

describe('many new problems at once', () => {
  it('go out a few at a time', async () => {
    const store = memoryStore();
    const slack = countingClient();
    const { watch } = watchWith(store, slack.client);
    expect(await watch.runOnce()).toBe(true);
    for (let index = 0; index < 30; index++) setVm(`vm-many-${index}`, 40);
    expect(await watch.runOnce()).toBe(true);
    expect(slack.posted).toHaveLength(30);
    expect(slack.most()).toBeGreaterThan(1);
    expect(slack.most()).toBeLessThanOrEqual(3);
  });

  it('honour Retry-After: the rest waits for the next watch, and each is posted once', async () => {
    const store = memoryStore();
    const slack = countingClient(['ratelimited']);
    const slept: number[] = [];
    const { watch, lines } = watchWith(store, slack.client, { sleep: async (ms) => void slept.push(ms) });
    expect(await watch.runOnce()).toBe(true);
    for (let index = 0; index < 12; index++) setVm(`vm-burst-${index}`, 40);
    expect(await watch.runOnce()).toBe(true);
    expect(slept).toEqual([2000]);
    expect(slack.posted.length).toBeLessThan(12);
    expect(lines.some((line) => line.msg.includes('Slack asked the bot to slow down'))).toBe(true);
    // Slack's pause is over by the next watch (here: made so), and the rest goes out.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect(await watch.runOnce()).toBe(true);
    expect(slack.posted).toHaveLength(12);
    expect(new Set(slack.posted).size).toBe(12);
  });

  it('sends again at the next watch what was surely not posted, never what may have been', async () => {
    const store = memoryStore();
    const slack = countingClient(['refused', 'no-answer']);
    const { watch, lines } = watchWith(store, slack.client, { sendLanes: 1 });
    expect(await watch.runOnce()).toBe(true);
    setVm('vm-x', 40);
    setVm('vm-y', 40);
    expect(await watch.runOnce()).toBe(true);
    expect(await watch.runOnce()).toBe(true);
    expect(await watch.runOnce()).toBe(true);
    // vm-x's first try failed before reaching Slack: posted at a later watch. vm-y's got no answer: never sent again.
    expect(slack.posted.filter((text) => text.includes('vm-x'))).toHaveLength(1);
    expect(slack.posted.filter((text) => text.includes('vm-y'))).toHaveLength(0);
    expect(lines.some((line) => line.msg.includes('it may have been posted, so it is not sent again'))).toBe(true);
  });
});
