/**
 * `restorepoints check`: the deployment doctor. Validates the whole configuration, logs in to
 * each appliance, asks Slack who the bot is and whether it can post to each digest channel,
 * and prints one line per check: ✓ passed, ✗ failed (with the fix underneath), ! could not be
 * verified or worth knowing (does not fail). Exit 0 when nothing failed, 2 when the
 * configuration is wrong, 1 when something it names cannot be reached or used.
 */
import { existsSync, rmSync } from 'node:fs';
import { webApi } from '@slack/bolt';
import { ConfigError, loadConfig, type ApplianceConfig, type Config } from '../config/load.ts';
import { planDigest } from '../digest/plan.ts';
import { connectRedisCoordinator, redactRedisUrl } from '../digest/redis-coordinator.ts';
import { createLogger, silentLogger, type Logger } from '../log.ts';
import { openStateStore, stateFix } from '../state/open.ts';
import { slackClientOptions } from '../slack/app.ts';
import { boltLogger } from '../slack/bolt-logger.ts';
import { VeeamClient, type VeeamClientOptions } from '../veeam/client.ts';
import { applianceFix } from '../veeam/failure-fixes.ts';
import { slackFailure, slackFix } from '../slack/failures.ts';
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

/** What check says after Slack rate-limited it. */
const RUN_AGAIN = 'run check again in a minute';

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
    report.fail(`Slack: auth.test failed (${failure.code})`, slackFix(failure, { variable: 'SLACK_BOT_TOKEN', apiUrl: config.slack.apiUrl, afterRateLimit: RUN_AGAIN }));
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
      report.fail(`Slack Socket Mode: SLACK_APP_TOKEN was refused (${failure.code})`, slackFix(failure, { variable: 'SLACK_APP_TOKEN', apiUrl: config.slack.apiUrl, afterRateLimit: RUN_AGAIN }));
    }
  } else {
    report.pass(
      "Slack HTTP mode: SLACK_SIGNING_SECRET is set; Slack's request URLs must be https://<this bot's public address>/slack/events (a wrong secret shows in Slack as dispatch_failed, in this log as 401s)",
    );
  }

  const routes = planDigest(config.digest.channels, appliances);
  if (routes.length === 0) {
    report.note('digest: no channels (DIGEST_CHANNELS is empty and no appliance names digestChannels): no digest is posted', 'set DIGEST_CHANNELS=C0123ABCD,… to get the morning digest');
  }
  for (const route of routes) await checkChannel(client, route.channel, identity, report, config.slack.apiUrl);
  for (const channel of config.alerts?.channels ?? []) await checkChannel(client, channel, identity, report, config.slack.apiUrl, 'alerts');
}

async function checkChannel(client: InstanceType<typeof webApi.WebClient>, id: string, identity: SlackIdentity, report: Report, apiUrl: string | null, purpose: 'digest' | 'alerts' = 'digest'): Promise<void> {
  const label = purpose === 'alerts' ? `alert channel ${id}` : `channel ${id}`;
  try {
    const info = await client.conversations.info({ channel: id });
    const channel = info.channel ?? {};
    const name = channel.name ? ` (#${channel.name})` : '';
    if (channel.is_archived) {
      report.fail(`${label}${name}: archived, so posting fails`, slackFix({ code: 'is_archived', needed: null, message: '' }));
    } else if (channel.is_member) {
      report.pass(`${label}${name}: the bot is a member and can post ${purpose === 'alerts' ? 'alerts' : 'the digest'}`);
    } else if (channel.is_private) {
      report.fail(`${label}${name}: private, and the bot is not a member`, 'invite the bot in the channel: /invite @restorepoints');
    } else if (identity.scopes === null) {
      report.note(`${label}${name}: public; the bot is not a member and its scopes are unknown`, 'invite the bot (/invite @restorepoints) to be sure, or make sure the app has chat:write.public');
    } else if (identity.scopes.includes(PUBLIC_POSTING_SCOPE)) {
      report.pass(`${label}${name}: public; the bot posts without joining (chat:write.public)`);
    } else {
      report.fail(
        `${label}${name}: the bot is not a member and lacks chat:write.public (posting fails with not_in_channel)`,
        slackFix({ code: 'not_in_channel', needed: null, message: '' }),
      );
    }
  } catch (error) {
    const failure = slackFailure(error);
    if (failure.code === 'channel_not_found') {
      report.fail(`${label}: not found`, slackFix(failure));
    } else if (failure.code === 'missing_scope') {
      report.note(
        `${label}: cannot be looked up: the token lacks ${failure.needed ?? 'a read scope'} (the bot itself does not need it)`,
        'to let check verify channels, add channels:read and groups:read to the app and reinstall; or post once with `restorepoints digest --post`',
      );
    } else report.fail(`${label}: conversations.info failed (${failure.code})`, slackFix(failure, { variable: 'SLACK_BOT_TOKEN', apiUrl, afterRateLimit: RUN_AGAIN }));
  }
}

// ---- the command ----

/** Variables that configure only the running service, never an appliance or the Slack connection. */
const SERVICE_ONLY = ['PORT', 'CACHE_TTL', 'FAILURE_WINDOW', 'LOG_LEVEL', 'REDIS_URL', 'REDIS_URL_FILE', 'DIGEST_CRON', 'DIGEST_TIMEZONE', 'ALERT_CHANNELS', 'WATCH_EVERY', 'STATE_FILE'];

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
  const alertChannels = config.alerts?.channels.length ?? 0;
  const alerts = alertChannels === 0 ? '' : `, alerts to ${alertChannels} channel${alertChannels === 1 ? '' : 's'}`;
  return `configuration: ${appliances}, ${mode}, ${digest}${alerts}${config.redisUrl ? `, replicas coordinated through ${redactRedisUrl(config.redisUrl)}` : ''}`;
}

/** The alert state opens and takes a write (the document written back unchanged); a file check creates is removed again. */
async function checkAlertState(config: Config, report: Report, options: CheckOptions): Promise<void> {
  const file = config.redisUrl ? null : config.alerts!.stateFile;
  const existed = file === null || existsSync(file);
  try {
    const store = await openStateStore(config, options.redisTimeoutMs === undefined ? {} : { redisTimeoutMs: options.redisTimeoutMs });
    try {
      await store.update((current) => ({ value: current, result: null }));
    } finally {
      await store.close();
    }
    report.pass(`alert state: ${file === null ? `Redis at ${store.where}` : `SQLite file ${file}`} can be read and written`);
  } catch (error) {
    report.fail(`alert state: ${(error as Error).message}`, stateFix(config));
  } finally {
    if (!existed) for (const suffix of ['', '-wal', '-shm']) if (existsSync(`${file}${suffix}`)) rmSync(`${file}${suffix}`, { force: true });
  }
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
  // Every failure check meets is one of its ✗ lines, with the fix: the clients' own warnings would
  // only repeat it as JSON between those lines. Logs appear when LOG_LEVEL asks for them.
  const logger = !io.env['LOG_LEVEL']?.trim() ? silentLogger() : any ? loggerFor(any, io, 'warn') : createLogger({ level: 'warn', destination: io.stderr });

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

  let redisAnswers = true;
  if (config?.redisUrl) {
    try {
      const coordinator = await connectRedisCoordinator(config.redisUrl, logger, { connectTimeoutMs: options.redisTimeoutMs ?? 5_000 });
      await coordinator.close();
      report.pass(`Redis: ${redactRedisUrl(config.redisUrl)} answers`);
    } catch (error) {
      redisAnswers = false;
      report.fail(`Redis: ${(error as Error).message}`, 'check REDIS_URL (host, port, password) and that Redis accepts connections from this host');
    }
  }
  if (config?.alerts && config.alerts.channels.length > 0) {
    if (redisAnswers) await checkAlertState(config, report, options);
    else report.note('alert state: not checked until Redis answers');
  }

  if (report.failed === 0) {
    io.stdout.write(`\nAll ${report.passed} checks passed.\n`);
    return EXIT.ok;
  }
  io.stdout.write(`\n${report.failed} check${report.failed === 1 ? '' : 's'} failed: fix the ✗ lines above, then run restorepoints check again.\n`);
  return configProblems ? EXIT.config : EXIT.failed;
}
