/**
 * The appliance's OAuth2 password grant, kept alive: refresh a little before the access token
 * expires, keep the rotated refresh token (the old one is refused), share one renewal between
 * concurrent callers, and fall back to a fresh login when a refresh is refused.
 */
import { Readable } from 'node:stream';
import type { Logger } from '../log.ts';
import { BodyInterrupted, readJsonBody } from './body.ts';
import { toVeeamError, VeeamError } from './errors.ts';
import { DEFAULT_REQUEST_TIMEOUT_MS, type Transport } from './transport.ts';
import { wireToken } from './wire.ts';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** A token as handed to a request: its generation tells a stale refusal from a fresh one. */
export interface IssuedToken {
  readonly access: string;
  /** 1 for the first token of the session, one more for each renewal. */
  readonly generation: number;
}

interface Tokens extends IssuedToken {
  readonly refresh: string | null;
  /** Epoch ms after which we renew before using the token. */
  readonly renewAt: number;
  /** Issued by a password login (not a refresh). */
  readonly viaPassword: boolean;
  /** The appliance accepted it at least once. */
  proven: boolean;
}

/** The largest login answer read (a token answer is well under a kilobyte). */
const MAX_TOKEN_BYTES = 256 * 1024;

/** Renew 5 minutes early, or a tenth of the lifetime when tokens are short-lived. */
function renewalMargin(expiresInSeconds: number): number {
  return Math.min(300_000, expiresInSeconds * 100);
}

/** What a refused request should do next: retry with the newer token, free, or after a renewal. */
export type AfterRefusal = 'superseded' | 'renewed';

export class TokenSession {
  readonly #transport: Transport;
  readonly #credentials: Credentials;
  readonly #now: () => number;
  readonly #logger: Logger;
  #tokens: Tokens | null = null;
  #generation = 0;
  #renewal: Promise<Tokens> | null = null;

  constructor(transport: Transport, credentials: Credentials, logger: Logger, now: () => number = Date.now) {
    this.#transport = transport;
    this.#credentials = credentials;
    this.#logger = logger;
    this.#now = now;
  }

  /**
   * The token to send now, taken just before sending: while a renewal runs, new sends wait for
   * its token instead of going out with the dying one; a token due for renewal is renewed first.
   */
  async current(): Promise<IssuedToken> {
    for (let round = 0; ; round++) {
      if (this.#renewal) {
        await this.#renewal;
        continue;
      }
      const tokens = this.#tokens;
      // A token renewed twice in a row and still "due" (a clock far off): use it rather than loop.
      if (tokens && (this.#now() < tokens.renewAt || round >= 2)) return tokens;
      await this.#renew(tokens, 'refresh');
    }
  }

  /** The appliance accepted `token`: a later refusal of it means expiry or revocation, not bad credentials. */
  accepted(token: IssuedToken): void {
    if (this.#tokens && this.#tokens.generation === token.generation) this.#tokens.proven = true;
  }

  /**
   * The appliance refused `token` (401). A token older than the current one (or than the one being
   * renewed) was superseded: retry with the current one, at no cost. A refusal of the current
   * token starts one renewal shared by everyone refused meanwhile. A token that a password login
   * has just issued and that is refused on its first use will not get better: that throws.
   */
  async refused(token: IssuedToken): Promise<AfterRefusal> {
    if (this.#renewal) {
      await this.#renewal;
      return 'superseded';
    }
    const tokens = this.#tokens;
    if (!tokens || tokens.generation !== token.generation) return 'superseded';
    if (tokens.viaPassword && !tokens.proven) {
      throw new VeeamError(
        'credentials',
        `${this.#transport.host} refused the token it had just issued for ${this.#credentials.username}: check that the account may use the REST API, and the appliance's clock.`,
        { status: 401 },
      );
    }
    // A refreshed token refused before it was ever accepted: the refresh chain is broken, log in.
    await this.#renew(tokens, tokens.proven ? 'refresh' : 'password');
    return 'renewed';
  }

  /** DELETE /api/oauth2/token. Best effort: the session ends either way. */
  async logout(): Promise<void> {
    const tokens = this.#tokens;
    this.#tokens = null;
    if (!tokens) return;
    try {
      await this.#transport.http.delete('oauth2/token', {
        headers: { authorization: `Bearer ${tokens.access}` },
        retry: 0,
        timeout: 5000,
      });
      this.#logger.debug({ host: this.#transport.host }, 'logged out of the appliance');
    } catch (error) {
      this.#logger.debug({ host: this.#transport.host, reason: toVeeamError(error, this.#transport.host).message }, 'logout failed');
    }
  }

  #renew(current: Tokens | null, how: 'refresh' | 'password'): Promise<Tokens> {
    if (!this.#renewal) {
      this.#renewal = this.#obtain(current, how).finally(() => {
        this.#renewal = null;
      });
    }
    return this.#renewal;
  }

  async #obtain(current: Tokens | null, how: 'refresh' | 'password'): Promise<Tokens> {
    if (how === 'refresh' && current?.refresh) {
      try {
        const tokens = await this.#grant({ grant_type: 'Refresh_token', refresh_token: current.refresh });
        this.#logger.debug({ host: this.#transport.host, generation: tokens.generation }, 'refreshed the appliance session');
        return (this.#tokens = tokens);
      } catch (error) {
        const reason = toVeeamError(error, this.#transport.host).message;
        this.#logger.info({ host: this.#transport.host, reason }, 'refresh refused; logging in again');
      }
    }
    const tokens = await this.#grant({
      grant_type: 'Password',
      username: this.#credentials.username,
      password: this.#credentials.password,
    });
    this.#logger.debug({ host: this.#transport.host }, 'logged in to the appliance');
    return (this.#tokens = tokens);
  }

  async #grant(form: Record<string, string>): Promise<Tokens> {
    const viaPassword = form['grant_type'] === 'Password';
    const host = this.#transport.host;
    let body: unknown;
    try {
      const response = await this.#transport.http.post('oauth2/token', {
        body: new URLSearchParams(form),
        // Logging in is safe to repeat: retry it like a read.
        retry: { methods: ['post'] },
      });
      // A token answer is a few hundred bytes: a larger one is not taken into memory.
      body = await readJsonBody(response.body && Readable.fromWeb(response.body), response.headers.get('content-length'), { maxBytes: MAX_TOKEN_BYTES, stallMs: DEFAULT_REQUEST_TIMEOUT_MS, host, what: 'an answer to the login' });
    } catch (error) {
      const failure =
        error instanceof BodyInterrupted
          ? new VeeamError('unreachable', `${host} broke off its answer to the login (${error.cause instanceof Error ? error.cause.message : String(error.cause)}).`, { cause: error })
          : toVeeamError(error, host);
      if (failure.status === 400 || failure.status === 401) {
        const what = form['grant_type'] === 'Password' ? `the username or password for ${this.#credentials.username}` : 'the refresh token';
        throw new VeeamError(
          'credentials',
          `${host} refused ${what}${failure.detail ? ` (${failure.detail.replace(/\.$/, '')})` : ''}: check VEEAM_USERNAME and VEEAM_PASSWORD (or the appliance's username and password file).`,
          { status: failure.status, title: failure.title, detail: failure.detail, traceId: failure.traceId, cause: failure },
        );
      }
      throw failure;
    }
    const parsed = wireToken.safeParse(body);
    if (!parsed.success) throw new VeeamError('malformed', `${host} answered the login with something that is not a token.`);
    const token = parsed.data;
    if (!token.access_token) {
      if (token.mfa_token || token.mfa_enabled) {
        throw new VeeamError(
          'mfa',
          `The account ${this.#credentials.username} on ${host} has multi-factor authentication enabled, which a bot cannot answer: use a service account without MFA (a read-only role is enough).`,
          { hint: 'use a service account without MFA' },
        );
      }
      throw new VeeamError('malformed', `${host} answered the login without an access token.`);
    }
    const expiresIn = token.expires_in && token.expires_in > 0 ? token.expires_in : 3600;
    return {
      access: token.access_token,
      generation: ++this.#generation,
      refresh: token.refresh_token ?? null,
      renewAt: this.#now() + expiresIn * 1000 - renewalMargin(expiresIn),
      viaPassword,
      proven: false,
    };
  }
}
