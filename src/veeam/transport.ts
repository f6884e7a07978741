/**
 * HTTP to one appliance: its own TLS trust (a custom CA for this appliance only, never the whole
 * process), a timeout per request, and retries with backoff where retrying can help.
 */
import { createSecureContext, rootCertificates } from 'node:tls';
import ky, { type KyInstance } from 'ky';
import { Agent } from 'undici';
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

export interface Transport {
  /** Requests relative to {baseUrl}/api/. */
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
  const http = ky.create({
    prefix: new URL('api/', base.href.endsWith('/') ? base.href : `${base.href}/`).href,
    timeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    totalTimeout: options.totalTimeoutMs ?? Math.max(DEFAULT_TOTAL_TIMEOUT_MS, (options.requestTimeoutMs ?? 0) * 2),
    // ky forwards unknown options to fetch; Node's fetch takes an undici dispatcher.
    ...({ dispatcher: agent } as object),
    retry: {
      limit: retry.limit,
      methods: ['get', 'delete'],
      statusCodes: [408, 429, 500, 502, 503, 504],
      afterStatusCodes: [429, 503],
      maxRetryAfter: retry.maxRetryAfterMs,
      backoffLimit: retry.backoffLimitMs,
      delay: (attempt) => retry.baseDelayMs * 2 ** (attempt - 1),
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
  return {
    http,
    host: base.host,
    close: () => {
      closed = true;
      return (closing ??= agent.destroy());
    },
  };
}
