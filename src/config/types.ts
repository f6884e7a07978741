/**
 * The shape of a validated configuration. Imports nothing of configuration loading, so any
 * area may depend on these types without depending on how they are read.
 */
import type { LogLevel } from '../log.ts';
import type { StalePolicy } from '../restore-points/stale-policy.ts';
import type { ApplianceSettings } from '../veeam/settings.ts';

export type Environment = Readonly<Record<string, string | undefined>>;

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

export interface AlertConfig {
  /** ALERT_CHANNELS; none: no watch. */
  readonly channels: readonly string[];
  /** WATCH_EVERY. */
  readonly everyMs: number;
  /** STATE_FILE: the SQLite file of the alert state (unused with REDIS_URL). */
  readonly stateFile: string;
}

export interface Config {
  readonly appliances: readonly ApplianceConfig[];
  readonly slack: SlackConfig;
  readonly port: number;
  readonly digest: DigestConfig;
  readonly cacheTtlMs: number;
  /** FAILURE_WINDOW: how far back failed and warning sessions are read. */
  readonly failureWindowMs: number;
  readonly logLevel: LogLevel;
  readonly redisUrl: string | null;
  /** Optional so that configurations written before alerts existed (tests, other commands) still type-check: absent means no alerts. */
  readonly alerts?: AlertConfig;
  /** Things an operator should know but that do not stop the bot (logged at every start). */
  readonly warnings: readonly string[];
}

/** What the command about to run needs; the rest may be absent. */
export interface ConfigNeeds {
  readonly appliances: boolean;
  /** 'bot': a bot token; 'app': a bot token and either Socket Mode or a signing secret. */
  readonly slack: 'none' | 'bot' | 'app';
}
