/**
 * Environment → one typed configuration, validated once at start. Every problem is collected
 * and reported together, each naming the variable and how to fix it, so an operator fixes the
 * whole deployment in one go instead of one crash at a time.
 */
import { readFileSync } from 'node:fs';
import { scheduleProblems } from './digest/schedule.ts';
import { parseDuration } from './duration.ts';
import type { LogLevel } from './log.ts';
import { DEFAULT_STALE_POLICY, parseStalePolicy, type StalePolicy } from './restore-points/stale-policy.ts';
import { isApiVersion, type ApiVersion } from './veeam/api-versions.ts';
import type { ApplianceSettings } from './veeam/client.ts';

export interface ApplianceConfig extends ApplianceSettings {
  readonly staleAfter: StalePolicy;
  /** Channels that get this appliance's part of the digest, beside DIGEST_CHANNELS. */
  readonly digestChannels: readonly string[];
}

export interface SlackConfig {
  readonly botToken: string | null;
  readonly signingSecret: string | null;
  /** Selects Socket Mode when set. */
  readonly appToken: string | null;
  readonly apiUrl: string | null;
}

export interface DigestConfig {
  readonly channels: readonly string[];
  readonly cron: string;
  readonly timeZone: string;
}

export interface Config {
  readonly appliances: readonly ApplianceConfig[];
  readonly slack: SlackConfig;
  readonly port: number;
  readonly digest: DigestConfig;
  readonly cacheTtlMs: number;
  readonly logLevel: LogLevel;
  readonly redisUrl: string | null;
  /** Things an operator should know but that do not stop the bot (logged at every start). */
  readonly warnings: readonly string[];
}

/** What the command about to run needs; the rest may be absent. */
export interface ConfigNeeds {
  readonly appliances: boolean;
  /** 'bot': a bot token; 'app': a bot token and either Socket Mode or a signing secret. */
  readonly slack: 'none' | 'bot' | 'app';
}

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`The configuration has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n${problems.map((p) => `  ✗ ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Reads NAME, or the file named by NAME_FILE (Docker and Kubernetes secrets). Setting both is
 * a mistake worth stopping for: which one is meant is unclear.
 */
export function readSecret(env: Environment, name: string, problems: string[]): string | null {
  const direct = env[name]?.trim() || null;
  const file = env[`${name}_FILE`]?.trim() || null;
  if (direct && file) {
    problems.push(`${name} and ${name}_FILE are both set: keep one.`);
    return null;
  }
  if (!file) return direct;
  try {
    const value = readFileSync(file, 'utf8').trim();
    if (!value) problems.push(`${name}_FILE names ${file}, which is empty.`);
    return value || null;
  } catch (error) {
    problems.push(`${name}_FILE names ${file}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
    return null;
  }
}

export function readCaFile(path: string, where: string, problems: string[]): string | null {
  try {
    const pem = readFileSync(path, 'utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      problems.push(`${where} names ${path}, which holds no PEM certificate (-----BEGIN CERTIFICATE-----).`);
      return null;
    }
    return pem;
  } catch (error) {
    problems.push(`${where} names ${path}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
    return null;
  }
}

export function parseBoolean(value: string | undefined, name: string, problems: string[]): boolean {
  if (value === undefined || value.trim() === '') return false;
  const normalised = value.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(normalised)) return true;
  if (['false', '0', 'no'].includes(normalised)) return false;
  problems.push(`${name}="${value}" is not true or false.`);
  return false;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Problems with an appliance URL; `where` names the setting in messages. */
export function applianceUrlProblems(text: string, where: string, warnings: string[]): { url: string | null; problems: string[] } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { url: null, problems: [`${where}="${text}" is not a URL: use https://host or https://host:port.`] };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { url: null, problems: [`${where}="${text}" must start with https://.`] };
  }
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) {
    warnings.push(`${where} uses plain http: the appliance password crosses the network unencrypted. Appliances serve https on port 443.`);
  }
  if (url.pathname !== '/' && url.pathname !== '') {
    warnings.push(`${where} has a path (${url.pathname}); the bot adds /api/… itself and ignores it.`);
  }
  return { url: url.origin, problems: [] };
}

export function parseApiVersion(value: string | undefined, where: string, problems: string[]): ApiVersion | 'auto' {
  const text = value?.trim() || 'auto';
  if (text === 'auto' || isApiVersion(text)) return text;
  problems.push(`${where}="${text}" is not a known API version: use auto, or one of v1…v8.1 (v1, v2, v3, v4, v5, v6, v7, v8, v8.1).`);
  return 'auto';
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

const CHANNEL_ID = /^[CGD][A-Z0-9]{6,}$/;

export function channelProblems(channels: readonly string[], where: string): string[] {
  return channels
    .filter((channel) => !CHANNEL_ID.test(channel))
    .map((channel) =>
      `${where}: "${channel}" is not a channel ID: use IDs like C0123ABCD (in Slack: channel name → About → Channel ID), not names.`,
    );
}

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export function loadConfig(env: Environment, needs: ConfigNeeds): Config {
  const problems: string[] = [];
  const warnings: string[] = [];

  const appliances: ApplianceConfig[] = [];
  if (needs.appliances) {
    const appliance = applianceFromEnvironment(env, problems, warnings);
    if (appliance) appliances.push(appliance);
  }

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

  const levelText = (env['LOG_LEVEL']?.trim() || 'info').toLowerCase();
  if (!LOG_LEVELS.includes(levelText as LogLevel)) problems.push(`LOG_LEVEL="${levelText}" is not one of ${LOG_LEVELS.join(', ')}.`);

  const redisUrl = readSecret(env, 'REDIS_URL', problems);
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) problems.push('REDIS_URL must start with redis:// or rediss://.');

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    appliances,
    slack: { botToken, signingSecret, appToken, apiUrl },
    port,
    digest: { channels, cron, timeZone },
    cacheTtlMs: cacheTtlMs ?? 60_000,
    logLevel: levelText as LogLevel,
    redisUrl,
    warnings,
  };
}
