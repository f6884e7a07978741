/**
 * The appliance's OAuth2 password grant, kept alive: refresh a little before the access token
 * expires, keep the rotated refresh token (the old one is refused), share one renewal between
 * concurrent callers, and fall back to a fresh login when a refresh is refused.
 */
import type { Logger } from '../log.ts';
import { toVeeamError, VeeamError } from './errors.ts';
import type { Transport } from './transport.ts';
import { wireToken } from './wire.ts';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

interface Tokens {
  readonly access: string;
  readonly refresh: string | null;
  /** Epoch ms after which we renew before using the token. */
  readonly renewAt: number;
}

/** Renew 5 minutes early, or a tenth of the lifetime when tokens are short-lived. */
function renewalMargin(expiresInSeconds: number): number {
  return Math.min(300_000, expiresInSeconds * 100);
}

export class TokenSession {
  readonly #transport: Transport;
  readonly #credentials: Credentials;
  readonly #now: () => number;
  readonly #logger: Logger;
  #tokens: Tokens | null = null;
  #renewal: Promise<Tokens> | null = null;

  constructor(transport: Transport, credentials: Credentials, logger: Logger, now: () => number = Date.now) {
    this.#transport = transport;
    this.#credentials = credentials;
    this.#logger = logger;
    this.#now = now;
  }

  /** A bearer token that is valid now; logs in or refreshes first when needed. */
  async accessToken(): Promise<string> {
    const tokens = this.#tokens;
    if (tokens && this.#now() < tokens.renewAt) return tokens.access;
    return (await this.#renew(tokens)).access;
  }

  /**
   * The appliance refused `rejected` (401). Renew once, whoever asks: callers that were refused
   * the same token share one renewal, and a token renewed meanwhile is simply returned.
   */
  async afterUnauthorized(rejected: string): Promise<string> {
    const tokens = this.#tokens;
    if (tokens && tokens.access !== rejected) return tokens.access;
    return (await this.#renew(tokens, true)).access;
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

  #renew(current: Tokens | null, force = false): Promise<Tokens> {
    if (!this.#renewal) {
      this.#renewal = this.#obtain(current, force).finally(() => {
        this.#renewal = null;
      });
    }
    return this.#renewal;
  }

  async #obtain(current: Tokens | null, force: boolean): Promise<Tokens> {
    if (current?.refresh) {
      try {
        const tokens = await this.#grant({ grant_type: 'Refresh_token', refresh_token: current.refresh });
        this.#logger.debug({ host: this.#transport.host, forced: force }, 'refreshed the appliance session');
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
    const host = this.#transport.host;
    let body: unknown;
    try {
      body = await this.#transport.http
        .post('oauth2/token', {
          body: new URLSearchParams(form),
          // Logging in is safe to repeat: retry it like a read.
          retry: { methods: ['post'] },
        })
        .json();
    } catch (error) {
      const failure = toVeeamError(error, host);
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
      refresh: token.refresh_token ?? null,
      renewAt: this.#now() + expiresIn * 1000 - renewalMargin(expiresIn),
    };
  }
}
