/**
 * `restorepoints check`: the deployment doctor. Validates the whole configuration, logs in to
 * each appliance, asks Slack who the bot is and whether it can post to each digest channel,
 * and prints one line per check: ✓ passed, ✗ failed (with the fix underneath), ! could not be
 * verified or worth knowing (does not fail). Exit 0 when nothing failed, 2 when the
 * configuration is wrong, 1 when something it names cannot be reached or used.
 */
import { webApi } from '@slack/bolt';
import { ConfigError, loadConfig, type ApplianceConfig, type Config } from '../config/load.ts';
import { planDigest } from '../digest/plan.ts';
import { connectRedisCoordinator, redactRedisUrl } from '../digest/redis-coordinator.ts';
import { createLogger, type Logger } from '../log.ts';
import { slackClientOptions } from '../slack/app.ts';
import { boltLogger } from '../slack/bolt-logger.ts';
import { VeeamClient, type VeeamClientOptions } from '../veeam/client.ts';
import { errorCode, VeeamError } from '../veeam/errors.ts';
import { EXIT, loggerFor, type CommandIo } from './io.ts';

export interface CheckOptions {
  /** Appliance client tuning (tests use short timeouts and quick retries). */
  readonly client?: Partial<Pick<VeeamClientOptions, 'requestTimeoutMs' | 'retry'>>;
  /** Redis connection bound. */
  readonly redisTimeoutMs?: number;
}

/** The bot scopes the app cannot work without, and the one public digest channels need. */
export const REQUIRED_SCOPES = ['commands', 'chat:write', 'app_mentions:read', 'users:read'] as const;
export const PUBLIC_POSTING_SCOPE = 'chat:write.public';

type Mark = '✓' | '✗' | '!';

class Report {
  readonly #io: CommandIo;
  failed = 0;
  passed = 0;
  constructor(io: CommandIo) {
    this.#io = io;
  }
  line(mark: Mark, what: string, fix?: string | null): void {
    if (mark === '✗') this.failed++;
    if (mark === '✓') this.passed++;
    this.#io.stdout.write(`${mark} ${what}\n${fix ? `    fix: ${fix}\n` : ''}`);
  }
  pass(what: string): void {
    this.line('✓', what);
  }
  fail(what: string, fix?: string | null): void {
    this.line('✗', what, fix);
  }
  note(what: string, fix?: string | null): void {
    this.line('!', what, fix);
  }
}

// ---- appliances ----

const SELF_SIGNED_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);

function hostPort(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || (parsed.protocol === 'https:' ? '443' : '80')}`;
}

/** What to do about an appliance that could not be logged in to, by the kind of failure. */
export function applianceFix(error: unknown, appliance: ApplianceConfig): string | null {
  if (!(error instanceof VeeamError)) return null;
  const where = `${appliance.url}`;
  switch (error.kind) {
    case 'credentials':
      return `sign in to the appliance web UI (${where}) with the same username and password to confirm them, then correct VEEAM_USERNAME and VEEAM_PASSWORD or VEEAM_PASSWORD_FILE (for an appliance in RESTOREPOINTS_CONFIG: its username and passwordFile); passwords changed in the web UI must be changed here too`;
    case 'mfa':
      return 'a bot cannot answer multi-factor prompts: create a service account without MFA for the bot (appliance web UI → Configuration → Users; the Read-Only User role is enough) and use it';
    case 'tls': {
      const code = errorCode(error.cause ?? error);
      if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
        return `the certificate is not issued for ${new URL(appliance.url).hostname}: use in VEEAM_URL the host name the certificate names, or reissue the certificate with this name`;
      }
      if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
        return "the appliance's certificate is outside its validity dates: renew it on the appliance (or check this host's clock)";
      }
      if (code !== null && SELF_SIGNED_CODES.has(code) && appliance.caPem === null) {
        return `the appliance presents a self-signed certificate (as installed) or one from a private CA. Save it with \`openssl s_client -connect ${hostPort(appliance.url)} -showcerts </dev/null | openssl x509 > vba.pem\`, compare its fingerprint with the one the appliance's web UI shows, and set VEEAM_CA_FILE=/path/to/vba.pem (caFile in RESTOREPOINTS_CONFIG). VEEAM_TLS_INSECURE=true also works but lets anyone in the path read the password`;
      }
      if (appliance.caPem !== null) {
        return `VEEAM_CA_FILE (caFile) does not hold the certificate or CA the appliance presents now (renewed?): save it again with \`openssl s_client -connect ${hostPort(appliance.url)} -showcerts </dev/null | openssl x509 > vba.pem\``;
      }
      return error.hint;
    }
    case 'unreachable':
      return `check VEEAM_URL (the API is served on the web UI's port, 443 unless changed), that ${new URL(appliance.url).hostname} resolves from here, and that firewalls and network security groups let this host reach ${hostPort(appliance.url)}`;
    case 'timeout':
      return `the appliance did not answer in time: check that it is running and not overloaded, and that nothing between here and ${hostPort(appliance.url)} drops traffic`;
    case 'forbidden':
      return 'the account may log in but not read: give it a role that can read restore points and job sessions (Read-Only User; on appliances without that role, Restore Operator)';
    case 'license':
    case 'not-found':
      return error.hint ?? 'see the message above';
    case 'server':
      return "the appliance failed: look at its logs around the time above (the trace id, when given, finds the request)";
    default:
      return error.hint;
  }
}

async function checkAppliance(appliance: ApplianceConfig, logger: Logger, options: CheckOptions): Promise<{ ok: boolean; what: string; fix: string | null }> {
  const label = `appliance ${appliance.name} (${appliance.url})`;
  const client = new VeeamClient({ appliance, logger, requestTimeoutMs: 10_000, ...options.client });
  try {
    const { apiVersion, serverVersion } = await client.identify();
    return { ok: true, what: `${label}: logged in as ${appliance.username}; API ${apiVersion}, appliance version ${serverVersion ?? 'not given'}`, fix: null };
  } catch (error) {
    return { ok: false, what: `${label}: ${(error as Error).message}`, fix: applianceFix(error, appliance) };
  } finally {
    await client.close().catch(() => undefined);
  }
}

// ---- Slack ----

interface SlackFailure {
  readonly code: string;
  readonly needed: string | null;
  readonly message: string;
}

function slackFailure(error: unknown): SlackFailure {
  const { code, data, message } = error as { code?: unknown; data?: { error?: unknown; needed?: unknown }; message?: unknown };
  const text = typeof message === 'string' ? message : String(error);
  if (code === webApi.ErrorCode.PlatformError && typeof data?.error === 'string') {
    return { code: data.error, needed: typeof data.needed === 'string' ? data.needed : null, message: text };
  }
  if (code === webApi.ErrorCode.RateLimitedError) return { code: 'ratelimited', needed: null, message: text };
  if (code === webApi.ErrorCode.RequestError || code === webApi.ErrorCode.HTTPError) return { code: 'unreachable', needed: null, message: text };
  return { code: 'error', needed: null, message: text };
}

/** What to do about a Slack error code, for the token named `variable`. */
export function slackFix(failure: SlackFailure, variable: 'SLACK_BOT_TOKEN' | 'SLACK_APP_TOKEN', apiUrl: string | null): string {
  switch (failure.code) {
    case 'invalid_auth':
      return variable === 'SLACK_BOT_TOKEN'
        ? "Slack refused the token: copy the Bot User OAuth Token (xoxb-…) again from the app's OAuth & Permissions page (it changes when the app is reinstalled; a token of another app or workspace is refused too)"
        : 'Slack refused the app-level token: generate one under Basic Information → App-Level Tokens with the connections:write scope (xapp-…)';
    case 'not_authed':
      return `no token reached Slack: set ${variable}`;
    case 'token_revoked':
    case 'token_expired':
    case 'account_inactive':
      return `the token was revoked or the app uninstalled: reinstall the app to the workspace and put the new token in ${variable}`;
    case 'not_allowed_token_type':
      return variable === 'SLACK_APP_TOKEN'
        ? 'SLACK_APP_TOKEN must be an app-level token (xapp-…), not a bot or user token'
        : 'SLACK_BOT_TOKEN must be the Bot User OAuth Token (xoxb-…), not a user (xoxp-) or app-level (xapp-) token';
    case 'missing_scope':
      return `the token lacks the scope ${failure.needed ?? '(Slack did not say which)'}: add it (OAuth & Permissions → Scopes, or manifest.yml), reinstall the app, and use the new token`;
    case 'ratelimited':
      return 'Slack is rate-limiting this app right now: run check again in a minute';
    case 'unreachable':
      return `cannot reach Slack's Web API (${apiUrl ?? 'https://slack.com/api/'}): check this host's network, DNS and HTTPS proxy${apiUrl ? ', and SLACK_API_URL' : ''}`;
    default:
      return `Slack answered ${failure.code}: ${failure.message}`;
  }
}

interface SlackIdentity {
  readonly scopes: readonly string[] | null;
}

async function checkSlack(config: Config, appliances: readonly ApplianceConfig[], logger: Logger, report: Report): Promise<void> {
  const options = { ...slackClientOptions(config.slack, 0, 10_000), logger: boltLogger(logger) };
  const client = new webApi.WebClient(config.slack.botToken ?? undefined, options);
  let identity: SlackIdentity;
  try {
    const auth = await client.auth.test();
    const scopes = auth.response_metadata?.scopes ?? null;
    if (!auth.bot_id) {
      report.fail(
        `Slack: SLACK_BOT_TOKEN belongs to the user ${auth.user ?? '?'}, not to a bot`,
        "use the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page, not the User OAuth Token (xoxp-…)",
      );
      return;
    }
    report.pass(`Slack: bot @${auth.user ?? '?'} (${auth.user_id ?? '?'}) in the workspace "${auth.team ?? '?'}" (${auth.url ?? auth.team_id ?? '?'})`);
    identity = { scopes };
  } catch (error) {
    const failure = slackFailure(error);
    report.fail(`Slack: auth.test failed (${failure.code})`, slackFix(failure, 'SLACK_BOT_TOKEN', config.slack.apiUrl));
    return;
  }

  if (identity.scopes === null) report.note('Slack scopes: Slack did not say which scopes the token has; the scope checks are skipped');
  else {
    const missing = REQUIRED_SCOPES.filter((scope) => !identity.scopes!.includes(scope));
    if (missing.length > 0) {
      report.fail(
        `Slack scopes: the token lacks ${missing.join(', ')}`,
        `add ${missing.join(', ')} under OAuth & Permissions → Bot Token Scopes (manifest.yml lists them all), reinstall the app, and use the new token`,
      );
    } else report.pass(`Slack scopes: ${[...REQUIRED_SCOPES, ...(identity.scopes.includes(PUBLIC_POSTING_SCOPE) ? [PUBLIC_POSTING_SCOPE] : [])].join(', ')}`);
  }

  if (config.slack.appToken) {
    const socket = new webApi.WebClient(config.slack.appToken, options);
    try {
      await socket.apps.connections.open();
      report.pass('Slack Socket Mode: SLACK_APP_TOKEN is accepted (apps.connections.open)');
    } catch (error) {
      const failure = slackFailure(error);
      report.fail(`Slack Socket Mode: SLACK_APP_TOKEN was refused (${failure.code})`, slackFix(failure, 'SLACK_APP_TOKEN', config.slack.apiUrl));
    }
  } else {
    report.pass(
      "Slack HTTP mode: SLACK_SIGNING_SECRET is set; Slack's request URLs must be https://<this bot's public address>/slack/events (a wrong secret shows in Slack as dispatch_failed, in this log as 401s)",
    );
  }

  const routes = planDigest(config.digest.channels, appliances);
  if (routes.length === 0) {
    report.note('digest: no channels (DIGEST_CHANNELS is empty and no appliance names digestChannels): no digest is posted', 'set DIGEST_CHANNELS=C0123ABCD,… to get the morning digest');
    return;
  }
  for (const route of routes) await checkChannel(client, route.channel, identity, report, config.slack.apiUrl);
}

async function checkChannel(client: InstanceType<typeof webApi.WebClient>, id: string, identity: SlackIdentity, report: Report, apiUrl: string | null): Promise<void> {
  try {
    const info = await client.conversations.info({ channel: id });
    const channel = info.channel ?? {};
    const name = channel.name ? ` (#${channel.name})` : '';
    if (channel.is_archived) {
      report.fail(`channel ${id}${name}: archived, so posting fails`, 'unarchive it, or remove it from DIGEST_CHANNELS (or the appliance’s digestChannels)');
    } else if (channel.is_member) {
      report.pass(`channel ${id}${name}: the bot is a member and can post the digest`);
    } else if (channel.is_private) {
      report.fail(`channel ${id}${name}: private, and the bot is not a member`, 'invite the bot in the channel: /invite @restorepoints');
    } else if (identity.scopes === null) {
      report.note(`channel ${id}${name}: public; the bot is not a member and its scopes are unknown`, 'invite the bot (/invite @restorepoints) to be sure, or make sure the app has chat:write.public');
    } else if (identity.scopes.includes(PUBLIC_POSTING_SCOPE)) {
      report.pass(`channel ${id}${name}: public; the bot posts without joining (chat:write.public)`);
    } else {
      report.fail(
        `channel ${id}${name}: the bot is not a member and lacks chat:write.public (posting fails with not_in_channel)`,
        'invite the bot (/invite @restorepoints), or add the chat:write.public scope and reinstall the app',
      );
    }
  } catch (error) {
    const failure = slackFailure(error);
    if (failure.code === 'channel_not_found') {
      report.fail(
        `channel ${id}: not found`,
        'check the ID (in Slack: the channel name → About → Channel ID; names do not work); a private channel is invisible to the bot until it is invited: /invite @restorepoints',
      );
    } else if (failure.code === 'missing_scope') {
      report.note(
        `channel ${id}: cannot be looked up: the token lacks ${failure.needed ?? 'a read scope'} (the bot itself does not need it)`,
        'to let check verify channels, add channels:read and groups:read to the app and reinstall; or post once with `restorepoints digest --post`',
      );
    } else report.fail(`channel ${id}: conversations.info failed (${failure.code})`, slackFix(failure, 'SLACK_BOT_TOKEN', apiUrl));
  }
}

// ---- the command ----

/** Variables that configure only the running service, never an appliance or the Slack connection. */
const SERVICE_ONLY = ['PORT', 'CACHE_TTL', 'FAILURE_WINDOW', 'LOG_LEVEL', 'REDIS_URL', 'REDIS_URL_FILE', 'DIGEST_CRON', 'DIGEST_TIMEZONE'];

function without(env: CommandIo['env'], drop: (name: string) => boolean): CommandIo['env'] {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !drop(name)));
}

function loadOrNull(env: CommandIo['env'], needs: Parameters<typeof loadConfig>[1]): Config | null {
  try {
    return loadConfig(env, needs);
  } catch {
    return null;
  }
}

/**
 * When the whole configuration does not load, the appliances and Slack are still checked if
 * their own part is sound: each is loaded from the environment without the other's variables.
 */
function partialConfigs(env: CommandIo['env']): { appliances: Config | null; slack: Config | null } {
  const appliances = loadOrNull(
    without(env, (name) => name.startsWith('SLACK_') || name.startsWith('DIGEST_') || SERVICE_ONLY.includes(name)),
    { appliances: true, slack: 'none' },
  );
  const slackEnv = without(env, (name) => name.startsWith('VEEAM_') || name === 'RESTOREPOINTS_CONFIG' || name === 'STALE_AFTER' || SERVICE_ONLY.includes(name));
  const slack = loadOrNull(slackEnv, { appliances: false, slack: 'bot' }) ?? loadOrNull(without(slackEnv, (name) => name === 'DIGEST_CHANNELS'), { appliances: false, slack: 'bot' });
  return { appliances, slack };
}

function describeConfig(config: Config): string {
  const appliances = config.appliances.length === 1 ? '1 appliance' : `${config.appliances.length} appliances`;
  const mode = config.slack.appToken ? `Socket Mode (health routes on PORT ${config.port})` : `HTTP mode on PORT ${config.port}`;
  const channels = planDigest(config.digest.channels, config.appliances).length;
  const digest = channels === 0 ? 'no digest' : `digest at "${config.digest.cron}" ${config.digest.timeZone} to ${channels} channel${channels === 1 ? '' : 's'}`;
  return `configuration: ${appliances}, ${mode}, ${digest}${config.redisUrl ? `, replicas coordinated through ${redactRedisUrl(config.redisUrl)}` : ''}`;
}

export async function checkCommand(io: CommandIo, options: CheckOptions = {}): Promise<number> {
  const report = new Report(io);
  let config: Config | null = null;
  let configProblems = false;
  try {
    config = loadConfig(io.env, { appliances: true, slack: 'app' });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    configProblems = true;
    for (const problem of error.problems) report.fail(`configuration: ${problem}`);
  }

  // With a broken configuration, still check what can be: the appliances alone, Slack alone.
  const partial = config ? null : partialConfigs(io.env);
  const forAppliances = config ?? partial?.appliances ?? null;
  const forSlack = config ?? partial?.slack ?? null;
  const any = config ?? forAppliances ?? forSlack;
  const logger = any ? loggerFor(any, io, 'warn') : createLogger({ level: 'warn', destination: io.stderr });

  if (config) {
    report.pass(describeConfig(config));
    for (const warning of config.warnings) report.note(`configuration: ${warning}`);
  }

  if (forAppliances) {
    const results = await Promise.all(forAppliances.appliances.map((appliance) => checkAppliance(appliance, logger, options)));
    for (const result of results) report.line(result.ok ? '✓' : '✗', result.what, result.fix);
  } else report.note('appliances: not checked until the configuration problems above are fixed');

  if (forSlack) await checkSlack(forSlack, forAppliances?.appliances ?? forSlack.appliances, logger, report);
  else report.note('Slack: not checked until the configuration problems above are fixed');

  if (config?.redisUrl) {
    try {
      const coordinator = await connectRedisCoordinator(config.redisUrl, logger, { connectTimeoutMs: options.redisTimeoutMs ?? 5_000 });
      await coordinator.close();
      report.pass(`Redis: ${redactRedisUrl(config.redisUrl)} answers`);
    } catch (error) {
      report.fail(`Redis: ${(error as Error).message}`, 'check REDIS_URL (host, port, password) and that Redis accepts connections from this host');
    }
  }

  if (report.failed === 0) {
    io.stdout.write(`\nAll ${report.passed} checks passed.\n`);
    return EXIT.ok;
  }
  io.stdout.write(`\n${report.failed} check${report.failed === 1 ? '' : 's'} failed: fix the ✗ lines above, then run restorepoints check again.\n`);
  return configProblems ? EXIT.config : EXIT.failed;
}
