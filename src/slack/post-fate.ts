/**
 * Whether a failed Web API post may be sent again. The SDK's own retries resend a post whose
 * answer timed out, though Slack may well have posted it (a slow Slack got the digest three
 * times): so the bot's client never retries by itself, and a post is sent again only when Slack
 * said it was not done.
 *
 * - not done: 429 (with its Retry-After), a 5xx answer, a connection that was refused or whose
 *   host was not found (the request never reached Slack);
 * - refused: Slack answered `ok: false` (channel_not_found, invalid_auth…) or another status;
 * - unknown: no answer in time, or the connection broke after the request went out. Slack may
 *   have posted it; sending it again could post it twice, so it is logged and left.
 */

export type PostFate =
  | { readonly kind: 'not-done'; readonly error: string; readonly retryAfterMs: number | null }
  | { readonly kind: 'refused'; readonly error: string }
  | { readonly kind: 'unknown'; readonly error: string };

interface SlackFailure {
  readonly code?: string;
  readonly retryAfter?: number;
  readonly statusCode?: number;
  readonly data?: { error?: string };
  readonly original?: unknown;
  readonly message?: string;
}

/** Network error codes that mean the request never left or never reached Slack. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** The first `code` along an error's cause chain (fetch hides the socket's code in `cause`). */
function networkCode(error: unknown): string | null {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string' && !code.startsWith('slack_')) return code;
    current = cause;
  }
  return null;
}

export function postFate(caught: unknown): PostFate {
  const failure = (caught ?? {}) as SlackFailure;
  switch (failure.code) {
    case 'slack_webapi_rate_limited_error':
      return { kind: 'not-done', error: 'ratelimited', retryAfterMs: (failure.retryAfter ?? 1) * 1000 };
    case 'slack_webapi_platform_error':
      return { kind: 'refused', error: failure.data?.error ?? 'slack_error' };
    case 'slack_webapi_http_error': {
      const status = failure.statusCode ?? 0;
      return status >= 500 ? { kind: 'not-done', error: `http_${status}`, retryAfterMs: null } : { kind: 'refused', error: `http_${status}` };
    }
    case 'slack_webapi_request_error': {
      const code = networkCode(failure.original);
      if (code !== null && NEVER_SENT.has(code)) return { kind: 'not-done', error: code, retryAfterMs: null };
      const name = (failure.original as { name?: unknown } | undefined)?.name;
      return { kind: 'unknown', error: name === 'TimeoutError' || name === 'AbortError' ? 'timed_out' : (code ?? 'request_failed') };
    }
    default:
      return { kind: 'unknown', error: failure.code ?? failure.message ?? 'request_failed' };
  }
}

export interface PostRetryOptions {
  /** Attempts in all. */
  readonly maxTries: number;
  /** A Retry-After longer than this is not waited for. */
  readonly maxWaitMs: number;
  /** The pause before resending a post that did not reach Slack (5xx, refused connection). */
  readonly pauseMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Told before each resend, with why. */
  readonly onRetry?: (fate: PostFate, waitMs: number, tries: number) => void;
}

export type PostResult<T> = { readonly ok: true; readonly value: T; readonly tries: number } | { readonly ok: false; readonly fate: PostFate; readonly tries: number };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Posts, resending only what Slack said was not done, a bounded number of times. Never throws. */
export async function postWithoutDuplicates<T>(post: () => Promise<T>, options: PostRetryOptions): Promise<PostResult<T>> {
  const sleep = options.sleep ?? defaultSleep;
  for (let tries = 1; ; tries++) {
    try {
      return { ok: true, value: await post(), tries };
    } catch (caught) {
      const fate = postFate(caught);
      const waitMs = fate.kind === 'not-done' ? (fate.retryAfterMs ?? options.pauseMs ?? 1000) : null;
      if (waitMs === null || tries >= options.maxTries || waitMs > options.maxWaitMs) return { ok: false, fate, tries };
      options.onRetry?.(fate, waitMs, tries);
      await sleep(waitMs);
    }
  }
}
