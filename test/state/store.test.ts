/** The alert state store against a real SQLite file and a real Redis: what is written survives, and concurrent changes are never lost. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedisStore } from '../../src/state/redis.ts';
import { openSqliteStore } from '../../src/state/sqlite.ts';
import type { StateStore } from '../../src/state/store.ts';
import { skipWithoutRedis, startRedisServer, type RedisServer } from '../support/redis-server.ts';

const noRedis = skipWithoutRedis('test/state/store.test.ts');

const increment = (store: StateStore) =>
  store.update((current) => {
    const count = ((current as { count?: number } | null)?.count ?? 0) + 1;
    return { value: { count }, result: count };
  });

let dir: string;
let redis: RedisServer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'restorepoints-state-'));
  if (!noRedis) redis = await startRedisServer();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await redis?.stop();
});

describe('the SQLite store', () => {
  it('starts empty, keeps what is written across reopening, and makes the parent folder', async () => {
    const file = join(dir, 'nested', 'state.db');
    expect(await openSqliteStore(file, { readOnly: true }).read()).toBeNull();
    const store = openSqliteStore(file);
    expect(await store.read()).toBeNull();
    expect(await increment(store)).toBe(1);
    await store.close();
    const again = openSqliteStore(file);
    expect(await increment(again)).toBe(2);
    const reader = openSqliteStore(file, { readOnly: true });
    expect(await reader.read()).toEqual({ count: 2 });
    await reader.close();
    await again.close();
  });

  it('writes nothing when a change throws', async () => {
    const store = openSqliteStore(join(dir, 'throws.db'));
    await increment(store);
    await expect(store.update(() => { throw new Error('no'); })).rejects.toThrow('no');
    expect(await store.read()).toEqual({ count: 1 });
    await store.close();
  });

  it('serialises two handles on the same file', async () => {
    const file = join(dir, 'shared.db');
    const [a, b] = [openSqliteStore(file), openSqliteStore(file)];
    await Promise.all(Array.from({ length: 20 }, (_, index) => increment(index % 2 ? a : b)));
    expect(await a.read()).toEqual({ count: 20 });
    await Promise.all([a.close(), b.close()]);
  });
});

describe.skipIf(noRedis)('the Redis store', () => {
  it('keeps what is written and loses no change when two replicas write at once', async () => {
    const [a, b] = await Promise.all([openRedisStore(redis.url, { key: 'test:state' }), openRedisStore(redis.url, { key: 'test:state' })]);
    expect(await a.read()).toBeNull();
    await Promise.all(Array.from({ length: 30 }, (_, index) => increment(index % 2 ? a : b)));
    expect(await b.read()).toEqual({ count: 30 });
    expect(a.where).toContain('test:state');
    await Promise.all([a.close(), b.close()]);
  });

  it('says where it could not connect, without a password', async () => {
    await expect(openRedisStore('redis://user:s3cret@127.0.0.1:1', { connectTimeoutMs: 300 })).rejects.toThrow(/could not connect to Redis at redis:\/\/user:\*\*\*@127\.0\.0\.1:1/);
  });
});
