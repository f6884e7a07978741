/**
 * Everything that can go wrong talking to an appliance becomes one VeeamError: a kind the code
 * can branch on, and a message that is one sentence a Slack user can act on.
 */
import { isHTTPError, isNetworkError, isTimeoutError } from 'ky';
import { wireProblem } from './wire.ts';

export type VeeamErrorKind =
  | 'unreachable'
  | 'timeout'
  | 'tls'
  | 'credentials'
  | 'mfa'
  | 'forbidden'
  | 'license'
  | 'not-found'
  | 'rate-limited'
  | 'server'
  | 'malformed'
  | 'rejected'
  | 'redirected'
  | 'too-large'
  | 'incomplete';

export interface VeeamErrorDetails {
  readonly status?: number | null;
  readonly title?: string | null;
  readonly detail?: string | null;
  readonly traceId?: string | null;
  readonly hint?: string | null;
  readonly cause?: unknown;
}

export class VeeamError extends Error {
  readonly kind: VeeamErrorKind;
  readonly status: number | null;
  readonly title: string | null;
  readonly detail: string | null;
  readonly traceId: string | null;
  /** What the operator should change, when we know. Already part of `message`. */
  readonly hint: string | null;

  constructor(kind: VeeamErrorKind, sentence: string, details: VeeamErrorDetails = {}) {
    super(sentence, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'VeeamError';
    this.kind = kind;
    this.status = details.status ?? null;
    this.title = details.title ?? null;
    this.detail = details.detail ?? null;
    this.traceId = details.traceId ?? null;
    this.hint = details.hint ?? null;
  }
}

/** A certificate that is fine but not trusted here: self-signed (as appliances are installed) or from a private CA. */
export const UNTRUSTED_CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);

const CERTIFICATE_CODES = new Set([
  ...UNTRUSTED_CERTIFICATE_CODES,
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
]);

/** The innermost `code` in an error's cause chain (undici nests the system error). */
export function errorCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    // Every address of the host was tried (IPv6 and IPv4): their common failure is the answer.
    if (current instanceof AggregateError) {
      const codes = new Set(current.errors.map((inner) => errorCode(inner)));
      if (codes.size === 1) return [...codes][0] ?? null;
    }
    // fetch refuses some ports outright (1, 9, 25, 6000…), before any connection.
    if (current.message === 'bad port') return 'BAD_PORT';
    current = current.cause;
  }
  return null;
}

export function isCertificateError(error: unknown): boolean {
  const code = errorCode(error);
  return code !== null && CERTIFICATE_CODES.has(code);
}

const TLS_HINT =
  'trust the appliance certificate with VEEAM_CA_FILE (or caFile), or, only if you accept the risk, set VEEAM_TLS_INSECURE=true';

/** The fact of a network failure, by the code Node or undici gives it. */
const NETWORK_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'the connection was refused',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the host is unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  BAD_PORT: "the connection was refused by fetch itself: the port is one it never uses (the API is on the web UI's port, 443 unless changed)",
};

function fromNetworkFailure(error: unknown, host: string): VeeamError {
  const code = errorCode(error);
  if (code !== null && CERTIFICATE_CODES.has(code)) {
    return new VeeamError('tls', `The certificate of ${host} is not trusted (${code}): ${TLS_HINT}.`, {
      hint: TLS_HINT,
      cause: error,
    });
  }
  const reason = (code !== null ? NETWORK_REASONS[code] : undefined) ?? (code ? `the connection failed (${code})` : 'the connection failed');
  return new VeeamError('unreachable', `Cannot reach ${host}: ${reason}. Check the appliance URL (VEEAM_URL, or url in RESTOREPOINTS_CONFIG) and that the appliance is up.`, {
    hint: 'check the URL and that the appliance is up',
    cause: error,
  });
}

function problemSentence(status: number, title: string | null, detail: string | null, traceId: string | null): string {
  const what = [title, detail && detail !== title ? detail : null].filter(Boolean).join(': ') || `HTTP ${status}`;
  const trace = traceId ? ` (trace ${traceId})` : '';
  return `${what.replace(/\.$/, '')}${trace}`;
}

/** Turn whatever the transport (or ky, for the login) threw into a VeeamError (a VeeamError passes through unchanged). */
export function toVeeamError(error: unknown, host: string): VeeamError {
  if (error instanceof VeeamError) return error;
  if (isTimeoutError(error)) {
    return new VeeamError('timeout', `${host} did not answer in time.`, { cause: error });
  }
  if (isHTTPError(error)) {
    const status = error.response.status;
    const parsed = wireProblem.safeParse(error.data);
    const problem = parsed.success ? parsed.data : null;
    const title = problem?.title ?? (error.response.statusText || null);
    const detail = problem?.detail ?? (typeof error.data === 'string' && error.data.length < 200 ? error.data.trim() || null : null);
    const traceId = problem?.traceId ?? null;
    const base = problemSentence(status, title, detail, traceId);
    const details = { status, title, detail, traceId, cause: error };
    if (status >= 300 && status < 400) {
      const location = error.response.headers.get('location');
      const hint = 'set the appliance URL to the address the appliance really serves its API on';
      return new VeeamError(
        'redirected',
        `${host} answered ${status} redirecting to ${location ? `"${location.slice(0, 200)}"` : 'no Location'}; the bot never follows a redirect (it would carry the credentials along): ${hint}.`,
        { ...details, hint },
      );
    }
    if (status === 403 && problem?.licenseAgreementAcceptanceRequired) {
      const hint = 'sign in to the appliance web UI once and accept the license agreement';
      return new VeeamError('license', `${host} refuses API calls until its license agreement is accepted: ${hint} (${base}).`, { ...details, hint });
    }
    if (status === 401) return new VeeamError('credentials', `${host} refused the session: ${base}.`, details);
    if (status === 403) {
      const hint = 'give the account a role that can read restore points and sessions';
      return new VeeamError('forbidden', `${host} denied access: ${base}; ${hint}.`, { ...details, hint });
    }
    if (status === 404) return new VeeamError('not-found', `${host}: not found: ${base}.`, details);
    if (status === 429) return new VeeamError('rate-limited', `${host} kept asking to slow down (429) after retries: ${base}.`, details);
    if (status >= 500) return new VeeamError('server', `${host} failed with ${status}: ${base}.`, details);
    if (status >= 400 && status < 500) return new VeeamError('rejected', `${host} rejected the request (${status}): ${base}.`, details);
    return new VeeamError('server', `${host} answered ${status}: ${base}.`, details);
  }
  if (isNetworkError(error)) return fromNetworkFailure(error.cause ?? error, host);
  if (error instanceof SyntaxError) {
    return new VeeamError('malformed', `${host} sent a response that is not valid JSON.`, { cause: error });
  }
  if (error instanceof Error && (error.name === 'TypeError' || errorCode(error) !== null)) return fromNetworkFailure(error, host);
  return new VeeamError('malformed', `${host}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
