/** What a command may touch of the process: streams, environment and clock, so tests can run commands in-process. */
import type { Environment } from '../config.ts';
import { createLogger, type Logger, type LogLevel } from '../log.ts';

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

export function commandLogger(io: CommandIo, level: LogLevel | undefined, fallback: LogLevel = 'info'): Logger {
  const envLevel = io.env['LOG_LEVEL']?.trim().toLowerCase() as LogLevel | undefined;
  return createLogger({ level: level ?? envLevel ?? fallback, destination: io.stderr });
}

/** The process's zone, for terminal output (DESIGN: on the command line, times are in TZ). */
export function terminalTimeZone(io: CommandIo): string {
  const zone = io.env['TZ']?.trim();
  if (zone) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return zone;
    } catch {
      return 'UTC';
    }
  }
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
