import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';

export type Logger = PinoLogger;
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * Paths whose values never reach a log line, at any level. Secrets are also kept out of log
 * calls by design (no raw request options, no config objects); this list is the second fence.
 */
export const REDACTED_PATHS: readonly string[] = [
  'password',
  'token',
  'accessToken',
  'refreshToken',
  'access_token',
  'refresh_token',
  'botToken',
  'appToken',
  'signingSecret',
  'authorization',
  'Authorization',
  'headers.authorization',
  'headers.Authorization',
  'headers.cookie',
  '*.password',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.access_token',
  '*.refresh_token',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
  '*.authorization',
  '*.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
];

export interface LoggerOptions {
  readonly level?: LogLevel | 'silent';
  /** Defaults to stderr, so that `--json` output on stdout stays one clean document. */
  readonly destination?: NodeJS.WritableStream | { write(chunk: string): unknown };
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level: LevelWithSilent = options.level ?? 'info';
  return pino(
    {
      name: 'restorepoints',
      level,
      redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    (options.destination as NodeJS.WritableStream | undefined) ?? pino.destination({ fd: 2, sync: true }),
  );
}

/** For tests and library use: a logger that writes nothing. */
export function silentLogger(): Logger {
  return createLogger({ level: 'silent' });
}
