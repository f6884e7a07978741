import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DIGEST_LEASE_MS, startDigestSchedule, type DigestSchedule } from '../../src/digest/schedule.ts';
import { connectRedisCoordinator, redactRedisUrl, type RedisCoordinator } from '../../src/digest/redis-coordinator.ts';
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

  it('skips the fire with an error log, and does not run, when its Redis is down', async () => {
    const doomed = await startRedisServer();
    cleanups.push(() => doomed.stop());
    const { logger, lines } = captureLogger();
    const runCoordinator = await coordinator(doomed.url, logger);
    await doomed.stop();

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
    await until(() => lines.some((l) => l.reason === 'coordinator-error'), 'the skipped fire');

    expect(runs).toEqual([]);
    const skipped = lines.find((l) => l.reason === 'coordinator-error');
    expect(skipped).toMatchObject({
      level: 'error',
      fireTime: '2026-01-05T08:00:00.000Z',
      key: 'digest-down:2026-01-05T08:00:00.000Z',
      err: { message: expect.stringMatching(/Redis at redis:\/\/127\.0\.0\.1:\d+\/? (is not connected|could not claim)/) },
    });
    expect(lines.some((l) => l.level === 'error' && l.msg.startsWith('lost the connection to Redis'))).toBe(true);

    // Shutdown does not hang on a Redis that is gone.
    vi.useRealTimers();
    const started = performance.now();
    await runCoordinator.close();
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('fails start-up within the connect timeout when Redis cannot be reached, without leaking the password', async () => {
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

  it('fails start-up within the connect timeout when the server accepts but never answers', async () => {
    const { createServer } = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket)); // accepts, never says a word
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
