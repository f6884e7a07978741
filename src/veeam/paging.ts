/**
 * Reading a whole paged collection without trusting the server's paging: `totalCount` may be
 * null, `Limit` may be capped silently, a page may be longer than asked, and a server may ignore
 * `Offset` and send the same page again. Pages are handed over as they arrive, so a reader never
 * holds more than the pages in flight.
 */
import type { WirePage } from './wire.ts';

export type FetchPage = (offset: number, limit: number) => Promise<WirePage>;
export type PageSink = (records: readonly unknown[]) => void;

export interface PagingOptions {
  /** The `Limit` we ask for; the server may give fewer per page. */
  readonly pageSize: number;
  /** Pages in flight at once, once the total is known. */
  readonly parallelism: number;
  /** A hard stop for servers that never end a collection. */
  readonly maxPages?: number;
}

export interface PagingResult {
  readonly pages: number;
  readonly records: number;
  /** Set when the read stopped early to protect itself; says why in a sentence. */
  readonly incomplete: string | null;
}

/**
 * Identifies a page by its edges, to notice a server that serves the same page twice. A record
 * without an id is identified by its content: pages of distinct id-less records are not repeats.
 */
function signature(records: readonly unknown[]): string {
  const idOf = (record: unknown) => {
    const id = record !== null && typeof record === 'object' ? (record as { id?: unknown }).id : undefined;
    return typeof id === 'string' || typeof id === 'number' ? `id:${id}` : `json:${JSON.stringify(record) ?? String(record)}`;
  };
  return `${records.length}:${idOf(records[0])}:${idOf(records[records.length - 1])}`;
}

export async function readAllPages(fetchPage: FetchPage, sink: PageSink, options: PagingOptions): Promise<PagingResult> {
  const maxPages = options.maxPages ?? 100_000;
  const seenPages = new Set<string>();
  let pages = 0;
  let records = 0;
  let incomplete: string | null = null;

  /** False when the page repeats one already seen (the server ignored Offset). */
  const accept = (page: WirePage, offset: number): boolean => {
    pages++;
    if (page.results.length === 0) return true;
    const key = signature(page.results);
    if (seenPages.has(key)) {
      incomplete ??= `the appliance sent the same page again for Offset=${offset} (it ignores paging), so the read stopped after ${records} records`;
      return false;
    }
    seenPages.add(key);
    records += page.results.length;
    sink(page.results);
    return true;
  };

  /**
   * The page size the server says it served. Null when the envelope does not say: the server may
   * cap `Limit` silently, so the limit we asked for cannot tell a short page from the last one.
   */
  const servedLimit = (page: WirePage): number | null => (page.limit && page.limit > 0 ? page.limit : null);

  /** Sequential paging from `offset`, for when the total is unknown or a planned page came up short. */
  const walk = async (offset: number, until: number | null): Promise<void> => {
    while (pages < maxPages && (until === null || offset < until)) {
      // Filling a gap: ask for the gap only, and keep no more than it (the pages after it are read).
      const fetched = await fetchPage(offset, until === null ? options.pageSize : Math.min(options.pageSize, until - offset));
      const page = until === null ? fetched : { ...fetched, results: fetched.results.slice(0, until - offset) };
      if (!accept(page, offset)) return;
      const got = page.results.length;
      if (got === 0) return;
      const served = servedLimit(page);
      offset += got;
      // Without an echoed limit only an empty page ends the collection.
      if (until === null && served !== null && got < served) return;
    }
    if (pages >= maxPages) incomplete ??= `the read stopped after ${maxPages} pages`;
  };

  const first = await fetchPage(0, options.pageSize);
  if (!accept(first, 0) || first.results.length === 0) return { pages, records, incomplete };
  const total = first.totalCount;
  if (typeof total !== 'number') {
    const served = servedLimit(first);
    if (served === null || first.results.length >= served) await walk(first.results.length, null);
    return { pages, records, incomplete };
  }

  // The total is known: plan the remaining pages with the page size the server really serves.
  // The total is only a hint: a planned page that comes back empty means the collection ended
  // there (or the total lied), and ends the read instead of asking for every page it promised.
  const step = first.results.length;
  const planned = Math.min(Math.ceil((total - step) / step), maxPages - pages);
  const truncated = step * (planned + 1) < total;
  const gaps: Array<{ from: number; to: number }> = [];
  let next = 0;
  let stop = false;
  /** A planned page came back empty: the collection ends there. */
  let ended = false;
  /** The server repeated a page: nothing more it sends can be trusted. */
  let repeated = false;
  const pull = async () => {
    while (!stop && next < planned) {
      const offset = step * ++next;
      const expected = Math.min(step, total - offset);
      const page = await fetchPage(offset, options.pageSize);
      if (!accept(page, offset)) {
        repeated = true;
        stop = true;
        return;
      }
      const got = page.results.length;
      if (got === 0) {
        ended = true;
        stop = true;
        return;
      }
      // Fewer than planned: the collection shifted or the server pages differently. Fill the gap.
      if (got < expected) gaps.push({ from: offset + got, to: offset + expected });
    }
  };
  const worker = async () => {
    try {
      await pull();
    } catch (error) {
      stop = true; // the other workers finish their page and stop
      throw error;
    }
  };
  // Wait for every worker, not just the first failure: a page still in flight must not reach the
  // sink after the read has been reported as failed (the caller's tally is final by then).
  const outcomes = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(options.parallelism, planned)) }, worker));
  const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failed) throw failed.reason;
  for (const gap of gaps) {
    if (repeated) break;
    await walk(gap.from, gap.to);
  }
  if (truncated && !ended) incomplete ??= `the read stopped after ${maxPages} pages`;
  return { pages, records, incomplete };
}
