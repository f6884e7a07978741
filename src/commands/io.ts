/** What a command may touch of the process: streams, environment and clock, so tests can run commands in-process. */
import type { Config, Environment } from '../config/types.ts';
import { isTimeZone } from '../lib/zones.ts';
import { createLogger, type Logger } from '../log.ts';

export interface CommandIo {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: { write(chunk: string): unknown };
  readonly env: Environment;
  readonly now: () => number;
}

export const processIo: CommandIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  now: Date.now,
};

/** Exit statuses: 0 all worked; 1 an appliance or a post failed; 2 the configuration or usage is wrong. */
export const EXIT = { ok: 0, failed: 1, config: 2 } as const;

/** Every secret the configuration holds: the logger censors these values wherever they appear. */
export function secretsOf(config: Config): string[] {
  const secrets = [config.slack.botToken, config.slack.signingSecret, config.slack.appToken, ...config.appliances.map((appliance) => appliance.password)];
  if (config.redisUrl) {
    try {
      const password = new URL(config.redisUrl).password;
      if (password) secrets.push(password, decodeURIComponent(password));
    } catch {
      // not a URL: the configuration said so already
    }
  }
  return secrets.filter((secret): secret is string => typeof secret === 'string' && secret !== '');
}

/** The command's logger: LOG_LEVEL (or the command's own default), stderr, the configuration's secrets censored. */
export function loggerFor(config: Config, io: CommandIo, fallback: 'info' | 'warn' = 'info'): Logger {
  const level = io.env['LOG_LEVEL']?.trim() ? config.logLevel : fallback;
  return createLogger({ level, destination: io.stderr, secrets: secretsOf(config) });
}

/** The process's zone, for terminal output (docs/contract.md: on the command line, times are in TZ). */
export function terminalTimeZone(io: CommandIo): string {
  const zone = io.env['TZ']?.trim();
  if (zone) return isTimeZone(zone) ? zone : 'UTC';
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
