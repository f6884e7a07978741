import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DIGEST_LEASE_MS, startDigestSchedule, type DigestSchedule } from '../../src/digest/schedule.ts';
import { connectRedisCoordinator, redactRedisUrl, startRedisCoordinator, type RedisCoordinator } from '../../src/digest/redis-coordinator.ts';
import { freePort, skipWithoutRedis, startRedisServer, type RedisServer } from '../support/redis-server.ts';
import type { Logger } from '../../src/log.ts';
import { captureLogger } from '../support/log-capture.ts';


/** Polls with real time (node:timers/promises is not faked), so Redis I/O can complete. */
async function until(condition: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * Fake only the clock and the timers node-cron arms (setTimeout), so that its heartbeat fires at
 * a chosen instant on every schedule at once, while sockets and node-redis work in real time.
 */
function freezeClockAt(iso: string): void {
  vi.useFakeTimers({ now: new Date(iso), toFake: ['Date', 'setTimeout', 'clearTimeout'] });
}

const skip = skipWithoutRedis('test/digest/redis-coordinator.test.ts');
let redis: RedisServer;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  if (skip) return;
  redis = await startRedisServer();
});

afterEach(async () => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await redis?.stop();
});

async function coordinator(url: string, logger: Logger, keyPrefix = 'rp-test:'): Promise<RedisCoordinator> {
  const created = await connectRedisCoordinator(url, logger, { keyPrefix, connectTimeoutMs: 1_000 });
  cleanups.push(() => created.close());
  return created;
}

function schedule(...args: Parameters<typeof startDigestSchedule>): DigestSchedule {
  const started = startDigestSchedule(...args);
  cleanups.push(() => started.stop());
  return started;
}

describe.skipIf(skip)('Redis run coordinator', () => {
  it('lets exactly one of two replicas post a fire; the key names the schedule and fire time, with a TTL', async () => {
    const replicaA = captureLogger();
    const replicaB = captureLogger();
    const coordinatorA = await coordinator(redis.url, replicaA.logger);
    const coordinatorB = await coordinator(redis.url, replicaB.logger);
    const runs: { replica: string; fireTime: string }[] = [];

    freezeClockAt('2026-03-29T05:59:59.500Z');
    for (const [replica, log, runCoordinator] of [
      ['A', replicaA, coordinatorA],
      ['B', replicaB, coordinatorB],
    ] as const) {
      schedule({
        cron: '0 8 * * *',
        timeZone: 'Europe/Berlin',
        name: 'digest-replicas',
        logger: log.logger,
        coordinator: runCoordinator,
        run: async (fireTime) => void runs.push({ replica, fireTime: fireTime.toISOString() }),
      });
    }
    await vi.advanceTimersByTimeAsync(1_000); // 08:00 CEST: both replicas fire at once
    const decided = (): number =>
      runs.length + [...replicaA.lines, ...replicaB.lines].filter((l) => l.reason === 'not-elected').length;
    await until(() => decided() >= 2, 'both replicas to decide');
    await sleep(50); // a second run, if there were one, would have shown up by now

    expect(runs).toHaveLength(1);
    expect(runs[0]?.fireTime).toBe('2026-03-29T06:00:00.000Z');
    const loser = runs[0]?.replica === 'A' ? replicaB : replicaA;
    expect(loser.lines.find((l) => l.reason === 'not-elected')).toMatchObject({
      level: 'info',
      key: 'digest-replicas:2026-03-29T06:00:00.000Z',
    });

    const inspect = createClient({ url: redis.url });
    await inspect.connect();
    try {
      const key = 'rp-test:digest-replicas:2026-03-29T06:00:00.000Z';
      expect(await inspect.keys('rp-test:digest-replicas:*')).toEqual([key]);
      const holder = await inspect.get(key);
      expect(holder).toContain(`${hostname()}:${process.pid}:`);
      const ttl = await inspect.pTTL(key);
      expect(ttl).toBeGreaterThan(DIGEST_LEASE_MS - 60_000);
      expect(ttl).toBeLessThanOrEqual(DIGEST_LEASE_MS);
      expect(DIGEST_LEASE_MS).toBeGreaterThanOrEqual(5 * 60_000);
    } finally {
      await inspect.close();
    }
  });

  it('answers shouldRun with SET NX: first claim wins, a second claim of the same key loses', async () => {
    const { logger } = captureLogger();
    const a = await coordinator(redis.url, logger, 'rp-direct:');
    const b = await coordinator(redis.url, logger, 'rp-direct:');
    expect(await a.shouldRun('digest:2026-01-05T08:00:00.000Z', 600_000)).toBe(true);
    expect(await b.shouldRun('digest:2026-01-05T08:00:00.000Z', 600_000)).toBe(false);
    expect(await a.shouldRun('digest:2026-01-05T08:00:00.000Z', 600_000)).toBe(false);
    expect(await b.shouldRun('digest:2026-01-06T08:00:00.000Z', 600_000)).toBe(true);
  });

  it('posts the fire uncoordinated, with an error log, when its Redis is down; readiness says Redis is unreachable', async () => {
    const doomed = await startRedisServer();
    cleanups.push(() => doomed.stop());
    const { logger, lines } = captureLogger();
    const runCoordinator = await coordinator(doomed.url, logger);
    expect(await runCoordinator.problem()).toBeNull();
    await doomed.stop();
    await until(() => lines.some((l) => l.level === 'error' && l.msg.startsWith('cannot reach Redis')), 'the lost connection');
    expect(await runCoordinator.problem()).toMatch(/^unreachable at redis:\/\/127\.0\.0\.1:\d+.*uncoordinated/);

    freezeClockAt('2026-01-05T07:59:59.500Z');
    const runs: string[] = [];
    schedule({
      cron: '0 8 * * *',
      timeZone: 'UTC',
      name: 'digest-down',
      logger,
      coordinator: runCoordinator,
      run: async (fireTime) => void runs.push(fireTime.toISOString()),
    });
    await vi.advanceTimersByTimeAsync(1_000);
    await until(() => runs.length > 0, 'the uncoordinated run');

    expect(runs).toEqual(['2026-01-05T08:00:00.000Z']);
    const uncoordinated = lines.find((l) => l.reason === 'coordinator-error');
    expect(uncoordinated).toMatchObject({
      level: 'error',
      fireTime: '2026-01-05T08:00:00.000Z',
      key: 'digest-down:2026-01-05T08:00:00.000Z',
      msg: expect.stringContaining('posting this digest without coordination'),
      err: { message: expect.stringMatching(/Redis at redis:\/\/127\.0\.0\.1:\d+\/? (is not connected|could not claim)/) },
    });

    // Shutdown does not hang on a Redis that is gone.
    vi.useRealTimers();
    const started = performance.now();
    await runCoordinator.close();
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('never writes a claim after giving up on a stalled Redis (SIGSTOP), and the command timeout holds', async () => {
    const stalled = await startRedisServer();
    cleanups.push(() => stalled.stop());
    const { logger } = captureLogger();
    const created = await connectRedisCoordinator(stalled.url, logger, { keyPrefix: 'rp-stall:', connectTimeoutMs: 1_000, commandTimeoutMs: 500 });
    cleanups.push(() => created.close());
    expect(await created.claimFire('digest:warm-up', 600_000)).toBe('claimed'); // measures Redis's clock
    process.kill(stalled.pid, 'SIGSTOP');
    let resumed = false;
    try {
      const started = performance.now();
      await expect(created.claimFire('digest:2026-01-05T08:00:00.000Z', 600_000)).rejects.toThrow(/could not claim/);
      expect(performance.now() - started).toBeLessThan(1_500);
      expect(await created.problem()).toMatch(/not answering/);
      await sleep(700); // the stall outlasts the deadline
      process.kill(stalled.pid, 'SIGCONT');
      resumed = true;
      const inspect = createClient({ url: stalled.url });
      await inspect.connect();
      try {
        await until(() => true, 'nothing');
        await sleep(100); // the queued script has run by now
        expect(await inspect.exists('rp-stall:digest:2026-01-05T08:00:00.000Z')).toBe(0);
      } finally {
        await inspect.close();
      }
      // Once Redis answers again, claims work again.
      expect(await created.claimFire('digest:2026-01-06T08:00:00.000Z', 600_000)).toBe('claimed');
    } finally {
      if (!resumed) process.kill(stalled.pid, 'SIGCONT');
    }
  });

  it('says posted once a fire was marked posted, and lets another replica claim a released fire', async () => {
    const { logger } = captureLogger();
    const a = await coordinator(redis.url, logger, 'rp-posted:');
    const b = await coordinator(redis.url, logger, 'rp-posted:');
    const fire = 'digest:2026-02-02T08:00:00.000Z';
    expect(await a.claimFire(fire, 600_000)).toBe('claimed');
    expect(await b.claimFire(fire, 600_000)).toBe('taken');
    await b.release(fire); // not b's claim: nothing happens
    expect(await b.claimFire(fire, 600_000)).toBe('taken');
    await a.release(fire);
    expect(await b.claimFire(fire, 600_000)).toBe('claimed');
    await b.markPosted(fire);
    await b.release(fire);
    expect(await a.claimFire(fire, 600_000)).toBe('posted');
  });

  it('starts within the connect timeout when Redis cannot be reached, says so without leaking the password, and claims fail meanwhile', async () => {
    const port = await freePort(); // nothing listens here
    const url = `redis://:s3cr%40t@127.0.0.1:${port}`;
    const { logger, lines } = captureLogger();
    const started = performance.now();
    const created = await startRedisCoordinator(url, logger, { connectTimeoutMs: 500 });
    cleanups.push(() => created.close());
    expect(performance.now() - started).toBeLessThan(2_000);
    const said = lines.find((l) => l.level === 'error' && l.msg.includes('could not connect to Redis'));
    expect(said?.msg).toMatch(new RegExp(`could not connect to Redis at redis://:(\\*\\*\\*|\\[redacted\\])@127\\.0\\.0\\.1:${port} \\(REDIS_URL\\) within 500 ms.*: starting anyway`));
    expect(JSON.stringify(lines)).not.toContain('s3cr');
    expect(await created.problem()).toMatch(/^unreachable/);
    expect(await created.problem()).not.toContain('s3cr');
    await expect(created.claimFire('digest:x', 60_000)).rejects.toThrow(/not connected/);
  });

  it('starts within the connect timeout when the server accepts but never answers', async () => {
    const { createServer } = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket)); // accepts, never says a word
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const started = performance.now();
      const created = await startRedisCoordinator(`redis://127.0.0.1:${port}`, captureLogger().logger, { connectTimeoutMs: 400 });
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(await created.problem()).toMatch(/^unreachable/);
      await created.close();
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('for check: fails within the connect timeout when Redis cannot be reached, without leaking the password', async () => {
    const port = await freePort(); // nothing listens here
    const url = `redis://:s3cr%40t@127.0.0.1:${port}`;
    const started = performance.now();
    const error = await connectRedisCoordinator(url, captureLogger().logger, { connectTimeoutMs: 500 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain(`could not connect to Redis at redis://:***@127.0.0.1:${port} (REDIS_URL) within 500 ms`);
    expect(message).not.toContain('s3cr');
  });

  it('for check: fails within the connect timeout when the server accepts but never answers', async () => {
    const { createServer } = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const started = performance.now();
      await expect(connectRedisCoordinator(`redis://127.0.0.1:${port}`, captureLogger().logger, { connectTimeoutMs: 400 })).rejects.toThrow(
        /could not connect to Redis .* within 400 ms/,
      );
      expect(performance.now() - started).toBeLessThan(2_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('redacts the password of a Redis URL', () => {
    expect(redactRedisUrl('redis://:pass@host:6379')).toBe('redis://:***@host:6379');
    expect(redactRedisUrl('rediss://user:pass@cache.example.com:6380/0')).toBe('rediss://user:***@cache.example.com:6380/0');
    expect(redactRedisUrl('redis://host:6379')).toBe('redis://host:6379');
    expect(redactRedisUrl('not a url :pass@host')).not.toContain('pass@');
  });
});
