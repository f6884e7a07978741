import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { readAllPages, type FetchPage, type PagingOptions } from '../../src/veeam/paging.ts';
import type { WirePage } from '../../src/veeam/wire.ts';

interface Record {
  readonly id: string;
}

const records = (count: number, prefix = 'r'): Record[] => Array.from({ length: count }, (_, index) => ({ id: `${prefix}${index}` }));

interface ServerOptions {
  /** The largest Limit served (echoed in the envelope). */
  readonly cap?: number;
  readonly nullTotal?: boolean;
  /** Serve the first page whatever the Offset. */
  readonly ignoreOffset?: boolean;
  /** Serve this many records per page whatever the Limit (echoing it as the limit). */
  readonly fixedPageSize?: number;
  /** Latency per page, so parallel requests overlap. */
  readonly delayMs?: number;
  /** Answer this instead of the normal page (or throw) for a given offset. */
  readonly override?: (offset: number, limit: number) => WirePage | Error | undefined;
}

/** An in-memory appliance collection that records every fetch and the pages in flight. */
function scriptedServer(data: readonly Record[], options: ServerOptions = {}) {
  const calls: Array<{ offset: number; limit: number; at: number }> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let started = 0;
  const fetchPage: FetchPage = async (offset, limit) => {
    calls.push({ offset, limit, at: ++started });
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      await sleep(options.delayMs ?? 1);
      const override = options.override?.(offset, limit);
      if (override instanceof Error) throw override;
      if (override) return override;
      const served = options.fixedPageSize ?? Math.min(limit, options.cap ?? limit);
      const from = options.ignoreOffset ? 0 : offset;
      return {
        offset: from,
        limit: served,
        totalCount: options.nullTotal ? null : data.length,
        results: data.slice(from, from + served),
      };
    } finally {
      inFlight--;
    }
  };
  return {
    fetchPage,
    calls,
    get maxInFlight() {
      return maxInFlight;
    },
    get inFlight() {
      return inFlight;
    },
  };
}

async function read(fetchPage: FetchPage, options: Partial<PagingOptions> = {}) {
  const received: Record[] = [];
  const batches: number[] = [];
  const result = await readAllPages(
    fetchPage,
    (batch) => {
      batches.push(batch.length);
      received.push(...(batch as Record[]));
    },
    { pageSize: 10, parallelism: 4, ...options },
  );
  return { result, received, batches };
}

const ids = (list: readonly Record[]) => list.map((record) => record.id);
const sortedIds = (list: readonly Record[]) => ids(list).sort();

describe('readAllPages', () => {
  it('totalCount known: every record once, the remaining pages in parallel, bounded', async () => {
    const data = records(95);
    const server = scriptedServer(data, { delayMs: 5 });
    const { result, received } = await read(server.fetchPage, { pageSize: 10, parallelism: 3 });
    expect(result).toEqual({ pages: 10, records: 95, incomplete: null });
    expect(sortedIds(received)).toEqual(sortedIds(data));
    expect(server.calls.map((call) => call.offset).sort((a, b) => a - b)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(server.calls.every((call) => call.limit === 10)).toBe(true);
    expect(server.maxInFlight).toBe(3);
  });

  it('parallelism 1 reads one page at a time', async () => {
    const server = scriptedServer(records(50), { delayMs: 2 });
    await read(server.fetchPage, { parallelism: 1 });
    expect(server.maxInFlight).toBe(1);
    expect(server.calls).toHaveLength(5);
  });

  it('parallelism never exceeds the pages left', async () => {
    const server = scriptedServer(records(25), { delayMs: 5 });
    const { result } = await read(server.fetchPage, { parallelism: 16 });
    expect(result.records).toBe(25);
    expect(server.maxInFlight).toBe(2);
  });

  it('totalCount null: sequential until a short page', async () => {
    const data = records(47);
    const server = scriptedServer(data, { nullTotal: true, delayMs: 2 });
    const { result, received } = await read(server.fetchPage, { parallelism: 8 });
    expect(result).toEqual({ pages: 5, records: 47, incomplete: null });
    expect(ids(received)).toEqual(ids(data));
    expect(server.calls.map((call) => call.offset)).toEqual([0, 10, 20, 30, 40]);
    expect(server.maxInFlight).toBe(1);
  });

  it('totalCount null and an exact multiple: one more page, empty, ends it', async () => {
    const server = scriptedServer(records(30), { nullTotal: true });
    const { result } = await read(server.fetchPage);
    expect(result).toEqual({ pages: 4, records: 30, incomplete: null });
    expect(server.calls.map((call) => call.offset)).toEqual([0, 10, 20, 30]);
  });

  it('a first page shorter than the limit ends a collection of unknown size', async () => {
    const server = scriptedServer(records(4), { nullTotal: true });
    expect((await read(server.fetchPage)).result).toEqual({ pages: 1, records: 4, incomplete: null });
    expect(server.calls).toHaveLength(1);
  });

  it('a server cap smaller than asked: pages are planned by what was served', async () => {
    const data = records(23);
    const server = scriptedServer(data, { cap: 5 });
    const { result, received } = await read(server.fetchPage, { pageSize: 100 });
    expect(result).toEqual({ pages: 5, records: 23, incomplete: null });
    expect(sortedIds(received)).toEqual(sortedIds(data));
    expect(server.calls.map((call) => call.offset).sort((a, b) => a - b)).toEqual([0, 5, 10, 15, 20]);
  });

  it('a server cap with totalCount null: short compared with the echoed limit, not the asked one', async () => {
    const data = records(23);
    const server = scriptedServer(data, { cap: 5, nullTotal: true });
    const { result, received } = await read(server.fetchPage, { pageSize: 100 });
    expect(result).toEqual({ pages: 5, records: 23, incomplete: null });
    expect(ids(received)).toEqual(ids(data));
  });

  it('totalCount null and no limit echoed: a short page is not the end, an empty one is', async () => {
    const data = records(23);
    // Serves 5 per page whatever was asked, and says neither the limit nor the total.
    const fetchPage: FetchPage = async (offset) => ({ offset, limit: null, totalCount: null, results: data.slice(offset, offset + 5) });
    const { result, received } = await read(fetchPage, { pageSize: 100 });
    expect(ids(received)).toEqual(ids(data));
    expect(result).toEqual({ pages: 6, records: 23, incomplete: null });
  });

  it('a page larger than asked: the offsets follow what arrived', async () => {
    const data = records(100);
    const server = scriptedServer(data, { fixedPageSize: 30 });
    const { result, received } = await read(server.fetchPage, { pageSize: 10 });
    expect(result).toEqual({ pages: 4, records: 100, incomplete: null });
    expect(sortedIds(received)).toEqual(sortedIds(data));
    expect(server.calls.map((call) => call.offset).sort((a, b) => a - b)).toEqual([0, 30, 60, 90]);
  });

  it('a page larger than asked with totalCount null', async () => {
    const data = records(100);
    const server = scriptedServer(data, { fixedPageSize: 30, nullTotal: true });
    const { result, received } = await read(server.fetchPage, { pageSize: 10 });
    expect(result).toEqual({ pages: 4, records: 100, incomplete: null });
    expect(ids(received)).toEqual(ids(data));
  });

  it.each([
    ['totalCount 0', false],
    ['totalCount null', true],
  ])('an empty first page (%s) is an empty collection', async (_label, nullTotal) => {
    const server = scriptedServer([], { nullTotal });
    const { result, batches } = await read(server.fetchPage);
    expect(result).toEqual({ pages: 1, records: 0, incomplete: null });
    expect(server.calls).toHaveLength(1);
    expect(batches).toEqual([]);
  });

  describe('the same page served again (a server that ignores Offset)', () => {
    it('totalCount known: stops, says so, keeps the first page', { timeout: 2000 }, async () => {
      const data = records(1000);
      const server = scriptedServer(data, { ignoreOffset: true });
      const { result, received } = await read(server.fetchPage, { parallelism: 4 });
      expect(result.incomplete).toMatch(/same page again/);
      expect(result.records).toBe(10);
      expect(ids(received)).toEqual(ids(data.slice(0, 10)));
      // The in-flight pages finish, nothing more is asked for.
      expect(server.calls.length).toBeLessThanOrEqual(1 + 4);
    });

    it('totalCount null: stops after the first repeat', { timeout: 2000 }, async () => {
      const server = scriptedServer(records(1000), { ignoreOffset: true, nullTotal: true });
      const { result } = await read(server.fetchPage);
      expect(result.incomplete).toMatch(/same page again for Offset=10/);
      expect(result).toMatchObject({ pages: 2, records: 10 });
      expect(server.calls).toHaveLength(2);
    });

    it('a repeat that shows up later, after new pages', { timeout: 2000 }, async () => {
      const data = records(1000);
      // Honest for the first three pages, then the first page again forever.
      const server = scriptedServer(data, {
        nullTotal: true,
        override: (offset) => (offset >= 30 ? { offset: 0, limit: 10, totalCount: null, results: data.slice(0, 10) } : undefined),
      });
      const { result, received } = await read(server.fetchPage);
      expect(result.incomplete).toMatch(/Offset=30/);
      expect(ids(received)).toEqual(ids(data.slice(0, 30)));
    });
  });

  it('a planned page that comes back short: the gap is read sequentially', async () => {
    const data = records(60);
    // The page at Offset=20 brings only 4 of its 10 records (a smaller page for that one).
    let shortened = false;
    const server = scriptedServer(data, {
      delayMs: 3,
      override: (offset) => {
        if (offset !== 20 || shortened) return undefined;
        shortened = true;
        return { offset: 20, limit: 10, totalCount: 60, results: data.slice(20, 24) };
      },
    });
    const { result, received } = await read(server.fetchPage, { parallelism: 3 });
    expect(result.incomplete).toBeNull();
    expect(sortedIds(received)).toEqual(sortedIds(data));
    expect(result.records).toBe(60);
    const gapCalls = server.calls.filter((call) => call.offset === 24);
    expect(gapCalls).toHaveLength(1);
    // Only the gap is asked for: the pages after it were read already.
    expect(gapCalls[0]!.limit).toBe(6);
    // The gap is read after the planned pages.
    expect(gapCalls[0]!.at).toBe(server.calls.length);
  });

  it('a short gap page is followed until the gap is closed', async () => {
    const data = records(40);
    // Offset 10 gives 2 records, and the gap reads give 3 at a time.
    const server = scriptedServer(data, {
      override: (offset) => {
        if (offset === 10) return { offset, limit: 10, totalCount: 40, results: data.slice(10, 12) };
        if (offset > 10 && offset < 20) return { offset, limit: 3, totalCount: 40, results: data.slice(offset, Math.min(offset + 3, 20)) };
        return undefined;
      },
    });
    const { result, received } = await read(server.fetchPage, { parallelism: 2 });
    expect(sortedIds(received)).toEqual(sortedIds(data));
    expect(result).toMatchObject({ records: 40, incomplete: null });
    expect(server.calls.map((call) => call.offset).filter((offset) => offset > 10 && offset < 20)).toEqual([12, 15, 18]);
  });

  it('a gap read answered with more than the gap keeps the gap only: no record twice', async () => {
    const data = records(60);
    let shortened = false;
    const server = scriptedServer(data, {
      override: (offset, limit) => {
        if (offset === 20 && !shortened) {
          shortened = true;
          return { offset, limit, totalCount: 60, results: data.slice(20, 24) };
        }
        // This server ignores small Limits: always 10 records.
        return { offset, limit: 10, totalCount: 60, results: data.slice(offset, offset + 10) };
      },
    });
    const { result, received } = await read(server.fetchPage, { parallelism: 2 });
    expect(ids(received)).toHaveLength(new Set(ids(received)).size);
    expect(sortedIds(received)).toEqual(sortedIds(data));
    expect(result).toMatchObject({ records: 60, incomplete: null });
  });

  it('a totalCount larger than the collection: the missing pages are empty, the read ends', async () => {
    const data = records(35);
    const server = scriptedServer(data, { override: (offset, limit) => ({ offset, limit, totalCount: 80, results: data.slice(offset, offset + limit) }) });
    const { result, received } = await read(server.fetchPage);
    expect(sortedIds(received)).toEqual(sortedIds(data));
    // Eight planned pages; the short one at Offset=30 costs one gap read (Offset=35), which is empty.
    expect(result).toEqual({ pages: 9, records: 35, incomplete: null });
    expect(server.calls.at(-1)).toMatchObject({ offset: 35, limit: 5 });
  });

  it('an error in one parallel page rejects, and the other workers fetch no new pages', async () => {
    const data = records(500);
    const failure = new Error('503 from the appliance');
    const server = scriptedServer(data, {
      delayMs: 5,
      override: (offset) => (offset === 30 ? failure : undefined),
    });
    await expect(read(server.fetchPage, { parallelism: 4 })).rejects.toBe(failure);
    const atRejection = server.calls.length;
    // Nothing new starts after the read has failed.
    await sleep(50);
    expect(server.calls.length).toBe(atRejection);
    expect(server.inFlight).toBe(0);
    // The first page, the first round of four, and at most one more page per surviving worker: not 49 pages.
    expect(server.calls.length).toBeLessThanOrEqual(1 + 4 + 3);
  });

  it('an error on the first page rejects at once', async () => {
    const failure = new Error('401');
    const server = scriptedServer(records(50), { override: () => failure });
    await expect(read(server.fetchPage)).rejects.toBe(failure);
    expect(server.calls).toHaveLength(1);
  });

  it('an error in a sequential read rejects', async () => {
    const failure = new Error('timeout');
    const server = scriptedServer(records(50), { nullTotal: true, override: (offset) => (offset === 20 ? failure : undefined) });
    await expect(read(server.fetchPage)).rejects.toBe(failure);
    expect(server.calls.map((call) => call.offset)).toEqual([0, 10, 20]);
  });

  describe('maxPages', () => {
    it('stops a collection of unknown size that never ends, and says so', { timeout: 2000 }, async () => {
      // Always a full page of new records: a server that never ends the collection.
      let next = 0;
      const endless: FetchPage = async (_offset, limit) => ({
        offset: 0,
        limit,
        totalCount: null,
        results: Array.from({ length: limit }, () => ({ id: `e${next++}` })),
      });
      const { result } = await read(endless, { maxPages: 7 });
      expect(result).toEqual({ pages: 7, records: 70, incomplete: expect.stringMatching(/7 pages/) });
    });

    it('stops a collection with a known total, and says so', async () => {
      const server = scriptedServer(records(1000));
      const { result } = await read(server.fetchPage, { maxPages: 5, parallelism: 2 });
      expect(server.calls).toHaveLength(5);
      expect(result).toEqual({ pages: 5, records: 50, incomplete: expect.stringMatching(/5 pages/) });
    });

    it('is not reported when the collection fits', async () => {
      const server = scriptedServer(records(50));
      expect((await read(server.fetchPage, { maxPages: 5 })).result).toEqual({ pages: 5, records: 50, incomplete: null });
      const unknown = scriptedServer(records(45), { nullTotal: true });
      expect((await read(unknown.fetchPage, { maxPages: 5 })).result).toEqual({ pages: 5, records: 45, incomplete: null });
    });

    it('maxPages 1 reads the first page only', async () => {
      const server = scriptedServer(records(100));
      const { result } = await read(server.fetchPage, { maxPages: 1 });
      expect(server.calls).toHaveLength(1);
      expect(result).toEqual({ pages: 1, records: 10, incomplete: expect.stringMatching(/1 pages?/) });
    });
  });

  it('pages are handed over as they arrive, one batch per page', async () => {
    const server = scriptedServer(records(35), { nullTotal: true });
    const { batches } = await read(server.fetchPage);
    expect(batches).toEqual([10, 10, 10, 5]);
  });

  it('records without ids do not look like a repeated page', async () => {
    // Distinct anonymous records (malformed, skipped later by the converter) must not stop the read.
    const data = Array.from({ length: 30 }, (_, index) => ({ name: `n${index}` }));
    const fetchPage: FetchPage = async (offset, limit) => ({ offset, limit, totalCount: null, results: data.slice(offset, offset + limit) });
    const received: unknown[] = [];
    const result = await readAllPages(fetchPage, (batch) => received.push(...batch), { pageSize: 10, parallelism: 2 });
    expect(received).toHaveLength(30);
    expect(result.incomplete).toBeNull();
  });
});
