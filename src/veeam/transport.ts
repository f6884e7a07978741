/**
 * HTTP to one appliance: its own TLS trust (a custom CA for this appliance only, never the whole
 * process), a timeout per request, and retries with backoff where retrying can help.
 *
 * GETs (every page, and every other read) go through `undici.request` on the appliance's Agent:
 * fetch and ky on top cost a third more CPU than the bytes' own parsing for a big read (#15).
 * The login POST and the logout go through ky on the same Agent, with the same timeouts and
 * retry policy.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createSecureContext, rootCertificates } from 'node:tls';
import ky, { type KyInstance } from 'ky';
import { Agent, request } from 'undici';
import { readTextBody, type BodyChunks } from './body.ts';
import { isCertificateError } from './errors.ts';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly limit: number;
  /** First backoff delay; doubles each time up to `backoffLimitMs`. */
  readonly baseDelayMs: number;
  readonly backoffLimitMs: number;
  /** A server's Retry-After longer than this is clamped, so one read cannot stall for minutes. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { limit: 3, baseDelayMs: 300, backoffLimitMs: 5000, maxRetryAfterMs: 30_000 };

export interface TransportOptions {
  /** https://host[:port], without /api. */
  readonly baseUrl: string;
  /** Extra PEM certificates to trust for this appliance, on top of the system's. */
  readonly caPem?: string | null;
  readonly tlsInsecure?: boolean;
  readonly requestTimeoutMs?: number;
  /** One request with all its retries and waits: a down appliance fails within this. */
  readonly totalTimeoutMs?: number;
  readonly retry?: RetryPolicy;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;
export const DEFAULT_TOTAL_TIMEOUT_MS = 60_000;

/** A 2xx answer to a GET: its body is still to be read (readJsonBody). */
export interface Answer {
  readonly contentLength: string | null;
  readonly body: BodyChunks;
}

export type SearchValues = Readonly<Record<string, string | number>>;

export interface GetOptions {
  readonly headers: Readonly<Record<string, string>>;
  readonly searchParams?: SearchValues | URLSearchParams;
  /** The read's deadline: aborts the request, its waits between retries and its body. */
  readonly signal?: AbortSignal;
}

/**
 * A non-2xx answer, named like ky's HTTPError (ky's `isHTTPError` and `toVeeamError` take both):
 * the status, the headers (a 3xx's Location) and the body, parsed when it is JSON.
 */
export class StatusError extends Error {
  override readonly name = 'HTTPError';
  readonly response: { readonly status: number; readonly statusText: string; readonly headers: Headers };
  readonly data: unknown;
  constructor(url: string, status: number, statusText: string, headers: Headers, data: unknown) {
    super(`Request failed with status code ${status} ${statusText}: GET ${url}`.replace('  ', ' '));
    this.response = { status, statusText, headers };
    this.data = data;
  }
}

/** No answer within the request timeout (or the whole retrying within the total timeout). */
export class RequestTimeout extends Error {
  override readonly name = 'TimeoutError';
  constructor(url: string) {
    super(`Request timed out: GET ${url}`);
  }
}

/** Statuses worth asking again, and those whose Retry-After is honoured (as ky was told). */
const RETRY_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);
const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([429, 503]);
/** The most of an error's body read for its problem details. */
const MAX_ERROR_BYTES = 1024 ** 2;

/** Retry-After in ms (seconds or an HTTP date), or null when absent or unreadable. */
function retryAfterMs(value: string | null, now: number): number | null {
  if (value === null) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function headersOf(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, one);
  }
  return headers;
}

export interface Transport {
  /** GET {baseUrl}/api/{path}, retried per the RetryPolicy; throws StatusError for a non-2xx. */
  get(path: string, options: GetOptions): Promise<Answer>;
  /** Requests relative to {baseUrl}/api/ (the login and logout). */
  readonly http: KyInstance;
  /** host[:port], for messages. */
  readonly host: string;
  close(): Promise<void>;
}

export function createTransport(options: TransportOptions): Transport {
  const base = new URL(options.baseUrl);
  const retry = options.retry ?? DEFAULT_RETRY;
  let closed = false;
  // One TLS context per appliance: given `ca` instead, every new connection parsed all the
  // system's root certificates again (about 0.5 s of CPU per read of a big appliance).
  const secureContext = options.caPem ? createSecureContext({ ca: [...rootCertificates, options.caPem] }) : undefined;
  const agent = new Agent({
    connect: {
      ...(secureContext ? { secureContext } : {}),
      rejectUnauthorized: options.tlsInsecure !== true,
      timeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    },
    keepAliveTimeout: 10_000,
  });
  const prefix = new URL('api/', base.href.endsWith('/') ? base.href : `${base.href}/`).href;
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const totalTimeoutMs = options.totalTimeoutMs ?? Math.max(DEFAULT_TOTAL_TIMEOUT_MS, requestTimeoutMs * 2);
  const backoff = (attempt: number) => Math.min(retry.backoffLimitMs, retry.baseDelayMs * 2 ** (attempt - 1));
  const http = ky.create({
    prefix,
    timeout: requestTimeoutMs,
    totalTimeout: totalTimeoutMs,
    // ky forwards unknown options to fetch; Node's fetch takes an undici dispatcher.
    ...({ dispatcher: agent } as object),
    retry: {
      limit: retry.limit,
      methods: ['get', 'delete'],
      statusCodes: [408, 429, 500, 502, 503, 504],
      afterStatusCodes: [429, 503],
      maxRetryAfter: retry.maxRetryAfterMs,
      backoffLimit: retry.backoffLimitMs,
      delay: backoff,
      retryOnTimeout: true,
      // A certificate will not change between attempts: fail at once with the fix. After close,
      // nothing is retried: the requests failed because they were ended on purpose.
      shouldRetry: ({ error }) => (closed || isCertificateError(error) ? false : undefined),
    },
    headers: { accept: 'application/json' },
    // Never follow a redirect: fetch would re-send the password of a login POST (307/308) or the
    // bearer token to whatever host `Location` names, and let another host's data in. A 3xx is
    // handed back as it is and becomes an error naming the Location (errors.ts). undici's Agent
    // follows nothing by itself (no redirect interceptor is installed).
    redirect: 'manual',
  });
  // Closing twice (a shutdown signal and a `finally`) must not throw: undici rejects a second close.
  // Closing ends requests still in flight (a hung login, a read past its wait) instead of waiting
  // for them: whoever closes is done with the appliance, and the client words their failure.
  let closing: Promise<void> | null = null;

  /** One attempt: the answer's headers within the request timeout, or why not. */
  const attempt = async (url: string, headers: Record<string, string>, timeoutMs: number, signal?: AbortSignal) => {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new RequestTimeout(url)), timeoutMs);
    try {
      // undici.request follows no redirect: a 3xx comes back as it is (see `redirect` above).
      return await request(url, { method: 'GET', headers, dispatcher: agent, signal: signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal });
    } catch (error) {
      if (signal?.aborted) throw error; // the read's deadline: passes as it is
      if (timeout.signal.aborted) throw timeout.signal.reason;
      // A network failure, worded as fetch did (toVeeamError reads the code in its cause).
      throw new TypeError('the request failed', { cause: error });
    } finally {
      clearTimeout(timer);
    }
  };

  const get = async (path: string, options: GetOptions): Promise<Answer> => {
    const params = options.searchParams;
    const query = params instanceof URLSearchParams ? params.toString() : params ? new URLSearchParams(Object.entries(params).map(([key, value]): [string, string] => [key, String(value)])).toString() : '';
    const url = `${prefix}${path}${query ? `?${query}` : ''}`;
    const headers = { accept: 'application/json', ...options.headers };
    const started = Date.now();
    for (let retries = 0; ; retries++) {
      const left = totalTimeoutMs - (Date.now() - started);
      if (left <= 0) throw new RequestTimeout(url);
      let delay: number;
      try {
        const answer = await attempt(url, headers, Math.min(requestTimeoutMs, left), options.signal);
        if (answer.statusCode >= 200 && answer.statusCode < 300) {
          const length = answer.headers['content-length'];
          return { contentLength: typeof length === 'string' ? length : null, body: answer.body };
        }
        const failed = await statusError(url, answer);
        const status = failed.response.status;
        if (!RETRY_STATUSES.has(status) || retries >= retry.limit || closed) throw failed;
        const after = RETRY_AFTER_STATUSES.has(status) ? retryAfterMs(failed.response.headers.get('retry-after'), Date.now()) : null;
        delay = after === null ? backoff(retries + 1) : Math.min(retry.maxRetryAfterMs, after);
      } catch (error) {
        if (error instanceof StatusError) throw error;
        // Network failures and timeouts are asked again; an abort, a certificate or a closed transport is not.
        const retryable = error instanceof RequestTimeout || (error instanceof TypeError && !isCertificateError(error));
        if (!retryable || closed || options.signal?.aborted || retries >= retry.limit) throw error;
        delay = backoff(retries + 1);
      }
      if (Date.now() - started + delay >= totalTimeoutMs) throw new RequestTimeout(url);
      await sleep(delay, undefined, options.signal ? { signal: options.signal } : undefined);
    }
  };

  /** A non-2xx answer as an error, its body read (bounded) for the problem details. */
  const statusError = async (url: string, answer: Awaited<ReturnType<typeof request>>): Promise<StatusError> => {
    const headers = headersOf(answer.headers);
    let data: unknown;
    try {
      const text = await readTextBody(answer.body, headers.get('content-length'), { maxBytes: MAX_ERROR_BYTES, stallMs: requestTimeoutMs, host: base.host, what: 'an error' });
      data = text === '' ? undefined : /json/i.test(headers.get('content-type') ?? '') ? JSON.parse(text) : text;
    } catch {
      data = undefined; // an unreadable error body leaves the status to speak
    }
    return new StatusError(url, answer.statusCode, answer.statusText ?? '', headers, data);
  };

  return {
    get,
    http,
    host: base.host,
    close: () => {
      closed = true;
      return (closing ??= agent.destroy());
    },
  };
}
