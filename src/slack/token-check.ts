/**
 * Whether Slack takes the bot token: `auth.test` at start-up, again after a failure (never more
 * than once per RECHECK_MS), and who the bot is for Bolt's authorize.
 *
 * Bolt's own check runs once when the app is built and keeps its answer forever: a token
 * refused at start (or a network blip then) failed every request afterwards with a stack trace,
 * while /readyz said ready. Here a refusal is logged once, plainly, with the fix; readiness says
 * "Slack refused the bot token" until a check succeeds.
 */
import type { Logger } from '../log.ts';

export interface BotIdentity {
  readonly botId: string | undefined;
  readonly botUserId: string | undefined;
  readonly teamId: string | undefined;
}

export interface AuthTestClient {
  auth: { test(): Promise<{ bot_id?: string; user_id?: string; team_id?: string }> };
}

/** Slack's answers that mean the token itself is wrong (not Slack being unreachable). */
const REFUSALS = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive', 'not_allowed_token_type']);

export const RECHECK_MS = 5_000;

export const TOKEN_FIX =
  'set SLACK_BOT_TOKEN to the Bot User OAuth Token (xoxb-…) from the app\'s "OAuth & Permissions" page (reinstall the app if it was revoked), then restart';

type Checked = { readonly at: number } & ({ readonly ok: true; readonly identity: BotIdentity } | { readonly ok: false; readonly refused: boolean; readonly reason: string });

export class BotTokenCheck {
  readonly #client: AuthTestClient;
  readonly #logger: Logger;
  readonly #now: () => number;
  #last: Checked | null = null;
  #checking: Promise<Checked> | null = null;
  #refusalLogged = false;

  constructor(client: AuthTestClient, logger: Logger, now: () => number = Date.now) {
    this.#client = client;
    this.#logger = logger;
    this.#now = now;
  }

  /** The last answer, renewed when there is none or it was a failure older than RECHECK_MS. */
  check(): Promise<Checked> {
    const last = this.#last;
    if (last && (last.ok || this.#now() - last.at < RECHECK_MS)) return Promise.resolve(last);
    this.#checking ??= this.#ask().finally(() => (this.#checking = null));
    return this.#checking;
  }

  /** For Bolt's authorize: who the bot is; throws (one plain sentence) while Slack refuses the token. */
  async identity(): Promise<BotIdentity> {
    const checked = await this.check();
    if (checked.ok) return checked.identity;
    throw new Error(checked.refused ? `Slack refused the bot token (${checked.reason})` : `could not check the bot token with Slack (${checked.reason})`);
  }

  /** For /readyz: null once Slack took the token; a sentence while it refuses it. */
  async problem(): Promise<string | null> {
    const checked = this.#last;
    // Readiness does not wait for Slack: a check in progress is not a problem yet.
    void this.check().catch(() => undefined);
    if (!checked || checked.ok) return null;
    return checked.refused ? `Slack refused the bot token (${checked.reason}): ${TOKEN_FIX}` : `could not check the bot token with Slack (${checked.reason}); checking again`;
  }

  async #ask(): Promise<Checked> {
    let checked: Checked;
    try {
      const answer = await this.#client.auth.test();
      checked = { at: this.#now(), ok: true, identity: { botId: answer.bot_id, botUserId: answer.user_id, teamId: answer.team_id } };
      if (this.#refusalLogged) this.#logger.info('Slack takes the bot token now');
      this.#refusalLogged = false;
    } catch (error) {
      const code = (error as { data?: { error?: string } }).data?.error;
      const refused = code !== undefined && REFUSALS.has(code);
      const reason = code ?? (error as Error).message;
      checked = { at: this.#now(), ok: false, refused, reason };
      if (refused && !this.#refusalLogged) {
        this.#refusalLogged = true;
        this.#logger.error({ error: code }, `Slack refused the bot token (${code}): the bot cannot answer anything. Fix: ${TOKEN_FIX}`);
      } else this.#logger.debug({ reason }, 'could not check the bot token with Slack');
    }
    this.#last = checked;
    return checked;
  }
}
