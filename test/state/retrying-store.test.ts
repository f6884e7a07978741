/** The store the watch uses: opened at first use, and tried again at every use while it cannot be. */
import { describe, expect, it } from 'vitest';
import { retryingStateStore, stateFix, stateWhere } from '../../src/state/open.ts';
import type { StateStore } from '../../src/state/store.ts';

function memory(): StateStore & { closed: boolean } {
  let document: unknown = null;
  return {
    closed: false,
    where: 'memory',
    read: async () => document,
    async update(change) {
      const { value, result } = change(document);
      document = value;
      return result;
    },
    async close() {
      this.closed = true;
    },
  };
}

describe('retryingStateStore', () => {
  it('tries to open again at each use until it can, sharing one attempt between uses at once', async () => {
    let attempts = 0;
    let fail = true;
    const inner = memory();
    const store = retryingStateStore('somewhere', async () => {
      attempts++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (fail) throw new Error('not yet');
      return inner;
    });
    expect(store.where).toBe('somewhere');
    await expect(store.read()).rejects.toThrow('not yet');
    await expect(Promise.all([store.read(), store.update(() => ({ value: 1, result: 1 }))])).rejects.toThrow('not yet');
    expect(attempts).toBe(2);
    fail = false;
    expect(await store.update(() => ({ value: { saved: true }, result: 'ok' }))).toBe('ok');
    expect(await store.read()).toEqual({ saved: true });
    expect(attempts).toBe(3);
    await store.close();
    expect(inner.closed).toBe(true);
    await expect(store.read()).rejects.toThrow('closed');
  });

  it('closes a store that opens after it was closed', async () => {
    const inner = memory();
    let open!: () => void;
    const store = retryingStateStore('somewhere', () => new Promise((resolve) => (open = () => resolve(inner))));
    const reading = store.read();
    await store.close();
    open();
    await expect(reading).rejects.toThrow('closed');
    expect(inner.closed).toBe(true);
  });

  it('names where the state is and the fix, without a Redis password', () => {
    const alerts = { channels: ['C1'], everyMs: 1000, stateFile: '/data/state.db' };
    expect(stateWhere({ redisUrl: null, alerts })).toBe('/data/state.db');
    expect(stateFix({ redisUrl: null, alerts })).toContain('/data/state.db exists and is writable');
    expect(stateWhere({ redisUrl: 'redis://:secret@cache:6379', alerts })).not.toContain('secret');
    expect(stateFix({ redisUrl: 'redis://:secret@cache:6379', alerts })).not.toContain('secret');
  });
});
