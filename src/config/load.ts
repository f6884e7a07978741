/**
 * Environment → one typed configuration, validated once at start. Every problem is collected
 * and reported together, each naming the variable and how to fix it, so an operator fixes the
 * whole deployment in one go instead of one crash at a time.
 */
import { appliancesFromFile } from './file.ts';
import {
  applianceUrlProblems,
  channelProblems,
  parseApiVersion,
  parseBoolean,
  parseMaxPageBytes,
  parseReadTimeout,
  readCaFile,
  readSecret,
  type Environment,
} from './values.ts';
import { scheduleProblems } from './schedule.ts';
import { parseDuration } from '../lib/duration.ts';
import type { LogLevel } from '../log.ts';
import type { AlertConfig, ApplianceConfig, Config, ConfigNeeds } from './types.ts';
import { DEFAULT_STALE_POLICY, parseStalePolicy } from '../restore-points/stale-policy.ts';

export type { AlertConfig, ApplianceConfig, Config, ConfigNeeds, DigestConfig, Environment, SlackConfig } from './types.ts';

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`The configuration has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n${problems.map((p) => `  ✗ ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

function applianceFromEnvironment(env: Environment, problems: string[], warnings: string[]): ApplianceConfig | null {
  const rawUrl = env['VEEAM_URL']?.trim();
  const username = env['VEEAM_USERNAME']?.trim();
  const password = readSecret(env, 'VEEAM_PASSWORD', problems);
  const before = problems.length;
  if (!rawUrl) problems.push('VEEAM_URL is not set: give the appliance address, e.g. VEEAM_URL=https://vba.example.com.');
  if (!username) problems.push('VEEAM_USERNAME is not set: give the appliance account the bot logs in with (a read-only role is enough).');
  if (!password && !env['VEEAM_PASSWORD_FILE']) problems.push('VEEAM_PASSWORD is not set: give the password, or VEEAM_PASSWORD_FILE=/path/to/file.');
  const checked = rawUrl ? applianceUrlProblems(rawUrl, 'VEEAM_URL', warnings) : { url: null, problems: [] };
  problems.push(...checked.problems);
  const apiVersion = parseApiVersion(env['VEEAM_API_VERSION'], 'VEEAM_API_VERSION', problems);
  const caFile = env['VEEAM_CA_FILE']?.trim();
  const caPem = caFile ? readCaFile(caFile, 'VEEAM_CA_FILE', problems) : null;
  const tlsInsecure = parseBoolean(env['VEEAM_TLS_INSECURE'], 'VEEAM_TLS_INSECURE', problems);
  if (tlsInsecure) warnings.push('VEEAM_TLS_INSECURE=true: the appliance certificate is not checked, so anyone in the path can read the password. Prefer VEEAM_CA_FILE.');
  const stale = parseStalePolicy(env['STALE_AFTER'] ?? '', DEFAULT_STALE_POLICY);
  problems.push(...stale.problems.map((problem) => `STALE_AFTER: ${problem}.`));
  if (problems.length > before || !checked.url || !username || !password) return null;
  return {
    name: env['VEEAM_NAME']?.trim() || new URL(checked.url).hostname,
    url: checked.url,
    username,
    password,
    apiVersion,
    caPem,
    tlsInsecure,
    staleAfter: stale.policy,
    digestChannels: [],
  };
}

/** The single-appliance variables; with RESTOREPOINTS_CONFIG they would compete with the file. */
const SINGLE_APPLIANCE_VARIABLES = ['VEEAM_URL', 'VEEAM_USERNAME', 'VEEAM_PASSWORD', 'VEEAM_PASSWORD_FILE', 'VEEAM_NAME', 'VEEAM_API_VERSION', 'VEEAM_CA_FILE', 'VEEAM_TLS_INSECURE'];

export const DEFAULT_STATE_FILE = './restorepoints-state.db';

function alertsFromEnvironment(env: Environment, problems: string[]): AlertConfig {
  const channels = (env['ALERT_CHANNELS'] ?? '').split(',').map((c) => c.trim()).filter(Boolean);
  problems.push(...channelProblems(channels, 'ALERT_CHANNELS'));
  const everyText = env['WATCH_EVERY']?.trim() || '10m';
  const everyMs = parseDuration(everyText);
  if (everyMs === null || everyMs < 1000) problems.push(`WATCH_EVERY="${everyText}" is not a duration of at least a second, such as 10m or 1h.`);
  return { channels, everyMs: everyMs ?? 600_000, stateFile: env['STATE_FILE']?.trim() || DEFAULT_STATE_FILE };
}

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export function loadConfig(env: Environment, needs: ConfigNeeds): Config {
  const problems: string[] = [];
  const warnings: string[] = [];

  const appliances: ApplianceConfig[] = [];
  const file = env['RESTOREPOINTS_CONFIG']?.trim();
  if (file) {
    const single = SINGLE_APPLIANCE_VARIABLES.filter((name) => env[name]?.trim());
    if (single.length > 0) {
      problems.push(
        `RESTOREPOINTS_CONFIG and ${single.join(', ')} are both set: which appliances are meant is unclear. List every appliance in ${file}, or unset RESTOREPOINTS_CONFIG.`,
      );
    }
    const base = parseStalePolicy(env['STALE_AFTER'] ?? '', DEFAULT_STALE_POLICY);
    problems.push(...base.problems.map((problem) => `STALE_AFTER: ${problem}.`));
    appliances.push(...appliancesFromFile(file, env, base.policy, problems, warnings));
  } else if (needs.appliances) {
    const appliance = applianceFromEnvironment(env, problems, warnings);
    if (appliance) appliances.push(appliance);
  }

  // One read of an appliance ends within READ_TIMEOUT (an appliance's readTimeout wins), and
  // takes no answer over MAX_PAGE_BYTES: both reach the client as plain settings of each appliance.
  const readTimeoutMs = parseReadTimeout(env['READ_TIMEOUT'], 'READ_TIMEOUT', problems);
  const maxPageBytes = parseMaxPageBytes(env['MAX_PAGE_BYTES'], 'MAX_PAGE_BYTES', problems);
  const bounded = appliances.map((appliance) => ({
    ...appliance,
    ...(appliance.readTimeoutMs === undefined && readTimeoutMs !== null ? { readTimeoutMs } : {}),
    ...(maxPageBytes === null ? {} : { maxPageBytes }),
  }));

  const botToken = readSecret(env, 'SLACK_BOT_TOKEN', problems);
  const signingSecret = readSecret(env, 'SLACK_SIGNING_SECRET', problems);
  const appToken = readSecret(env, 'SLACK_APP_TOKEN', problems);
  if (needs.slack !== 'none') {
    if (!botToken) problems.push('SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-…) from the app\'s OAuth & Permissions page.');
    else if (botToken.startsWith('xoxp-')) problems.push('SLACK_BOT_TOKEN is a user token (xoxp-…): use the Bot User OAuth Token (xoxb-…) instead.');
    else if (!botToken.startsWith('xoxb-')) problems.push('SLACK_BOT_TOKEN does not look like a bot token: it starts with xoxb-.');
  }
  if (needs.slack === 'app') {
    if (appToken && !appToken.startsWith('xapp-')) problems.push('SLACK_APP_TOKEN must be an app-level token (xapp-…) with the connections:write scope.');
    if (!appToken && !signingSecret) {
      problems.push('SLACK_SIGNING_SECRET is not set: HTTP mode needs it (Basic Information → Signing Secret), or set SLACK_APP_TOKEN (xapp-…) for Socket Mode.');
    }
  }
  const apiUrl = env['SLACK_API_URL']?.trim() || null;
  if (apiUrl && !URL.canParse(apiUrl)) problems.push(`SLACK_API_URL="${apiUrl}" is not a URL.`);

  const portText = env['PORT']?.trim() || '3000';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65_535) problems.push(`PORT="${portText}" is not a port number (0–65535).`);

  const channels = (env['DIGEST_CHANNELS'] ?? '').split(',').map((c) => c.trim()).filter(Boolean);
  problems.push(...channelProblems(channels, 'DIGEST_CHANNELS'));
  const cron = env['DIGEST_CRON']?.trim() || '0 8 * * *';
  const timeZone = env['DIGEST_TIMEZONE']?.trim() || 'UTC';
  problems.push(...scheduleProblems(cron, timeZone));

  const ttlText = env['CACHE_TTL']?.trim() || '60s';
  const cacheTtlMs = parseDuration(ttlText);
  if (cacheTtlMs === null) problems.push(`CACHE_TTL="${ttlText}" is not a duration such as 60s, 5m or 0s.`);

  const windowText = env['FAILURE_WINDOW']?.trim() || '24h';
  const failureWindowMs = parseDuration(windowText);
  if (failureWindowMs === null || failureWindowMs <= 0) problems.push(`FAILURE_WINDOW="${windowText}" is not a duration such as 24h, 36h or 2d.`);

  const levelText = (env['LOG_LEVEL']?.trim() || 'info').toLowerCase();
  if (!LOG_LEVELS.includes(levelText as LogLevel)) problems.push(`LOG_LEVEL="${levelText}" is not one of ${LOG_LEVELS.join(', ')}.`);

  const redisUrl = readSecret(env, 'REDIS_URL', problems);
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) problems.push('REDIS_URL must start with redis:// or rediss://.');

  const alerts = alertsFromEnvironment(env, problems);

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    appliances: bounded,
    slack: { botToken, signingSecret, appToken, apiUrl },
    port,
    digest: { channels, cron, timeZone },
    cacheTtlMs: cacheTtlMs ?? 60_000,
    failureWindowMs: failureWindowMs ?? 86_400_000,
    logLevel: levelText as LogLevel,
    redisUrl,
    alerts,
    warnings,
  };
}
