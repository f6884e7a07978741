/**
 * One side of the read-path comparison, alone in its process (its peak RSS is its own):
 *
 * - `floor`: `undici.request` of the same pages with the same parallelism, and `JSON.parse`,
 *   nothing else; this process loads none of the bot's modules;
 * - `fetch`: the same with Node's `fetch` and `text()` (the floor before #15: 27% dearer);
 * - `ky`: the same through ky on undici's own `fetch` and an undici Agent, the way the client's
 *   transport could go (diagnostic: what ky costs over the floor);
 * - `client`: VeeamClient.readRestorePoints folding into a PointTally, then summariseTally
 *   (bench/read-path-client.ts, imported before the clock starts);
 * - `baseline`: the same from another checkout of the bot (`BENCH_BASELINE=dir`), to measure a
 *   change to the client side by side with what it changes.
 *
 * Answers the wall time of the read (login to summary), its CPU time, the process's peak RSS and
 * how many points were read.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { collectionsOf } from '../src/veeam/api-versions.ts';
import { childOptions, tellParent } from './lib/child.ts';
import type { readAndSummarise } from './read-path-client.ts';

export type ReadPathMode = 'floor' | 'fetch' | 'ky' | 'client' | 'baseline';

export interface ReadPathOptions {
  readonly mode: ReadPathMode;
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly pageSize: number;
  readonly parallelism: number;
  readonly now: number;
  /** For `baseline`: another checkout (BENCH_BASELINE), whose client is read the same way. */
  readonly baselineDir?: string;
}

export interface ReadPathResult {
  readonly mode: ReadPathMode;
  readonly ms: number;
  /** CPU time of the read in this process (user + system, all threads). */
  readonly cpuMs: number;
  readonly maxRssKb: number;
  /** Records (floor) or restore points in the summary (client). */
  readonly points: number;
}

const VERSION = 'v8.1' as const;
/** The collections the client reads for v8.1, relative to /api/v8.1/. */
const COLLECTIONS = collectionsOf(VERSION).map((collection) => collection.path);

interface Page {
  readonly totalCount?: number | null;
  readonly results: unknown[];
}

/**
 * What the bot's client does on the wire, and nothing the bot adds: log in, ask the version's
 * about, read the first page of every collection, then the rest of the VM pages, `parallelism`
 * requests at a time (the client's per-appliance request slots), each body JSON.parse'd.
 */
type Getter = (url: string, headers: Record<string, string>) => Promise<string>;

/** How each side gets a body as text; each loads only its own library. */
async function getterFor(mode: ReadPathMode): Promise<Getter> {
  if (mode === 'fetch') return async (url, headers) => (await fetch(url, { headers })).text();
  const undici = await import('undici');
  const dispatcher = new undici.Agent({ keepAliveTimeout: 10_000 });
  if (mode === 'ky') {
    const { default: ky } = await import('ky');
    // ky hands fetch a global Request, which undici's own fetch does not take: pass its parts.
    const undiciFetch = (input: Request) => undici.fetch(input.url, { method: input.method, headers: [...input.headers], signal: input.signal, dispatcher });
    const http = ky.create({ fetch: undiciFetch as unknown as typeof fetch, retry: 0, timeout: 20_000 });
    return (url, headers) => http.get(url, { headers }).text();
  }
  return async (url, headers) => (await undici.request(url, { headers, dispatcher })).body.text();
}

async function floor(options: ReadPathOptions, getText: Getter): Promise<number> {
  const api = `${options.url}/api/`;
  const login = await fetch(`${api}oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'Password', username: options.username, password: options.password }),
  });
  const token = (JSON.parse(await login.text()) as { access_token: string }).access_token;
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
  const get = async (path: string): Promise<Page> => JSON.parse(await getText(`${api}${path}`, headers)) as Page;
  await get(`${VERSION}/system/about`);

  let points = 0;
  const page = async (collection: string, offset: number) => {
    const body = await get(`${VERSION}/${collection}?Offset=${offset}&Limit=${options.pageSize}`);
    points += body.results.length;
    return body;
  };
  const drain = async (work: Array<() => Promise<unknown>>) => {
    let next = 0;
    const lane = async () => {
      while (next < work.length) await work[next++]!();
    };
    await Promise.all(Array.from({ length: Math.min(options.parallelism, work.length) }, lane));
  };
  let first: Page | null = null;
  await drain(
    COLLECTIONS.map((collection, index) => async () => {
      const body = await page(collection, 0);
      if (index === 0) first = body;
    }),
  );
  const vmFirst = first as Page | null;
  const step = vmFirst?.results.length ?? 0;
  const total = vmFirst?.totalCount ?? 0;
  const offsets: number[] = [];
  for (let offset = step; step > 0 && offset < total; offset += step) offsets.push(offset);
  await drain(offsets.map((offset) => () => page(COLLECTIONS[0]!, offset)));
  return points;
}

const options = childOptions<ReadPathOptions>();
const clientModule = options.mode === 'baseline' ? pathToFileURL(join(options.baselineDir!, 'bench/read-path-client.ts')).href : './read-path-client.ts';
const client: { readAndSummarise: typeof readAndSummarise } | null = options.mode === 'client' || options.mode === 'baseline' ? await import(clientModule) : null;
const getText = client ? null : await getterFor(options.mode);
const started = performance.now();
const cpuBefore = process.cpuUsage();
const points = client ? await client.readAndSummarise(options) : await floor(options, getText!);
const elapsed = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
await tellParent({ mode: options.mode, ms: elapsed, cpuMs: (cpu.user + cpu.system) / 1000, maxRssKb: process.resourceUsage().maxRSS, points } satisfies ReadPathResult);
process.exit(0);
