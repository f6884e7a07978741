/**
 * One logger for the whole process (the app, Bolt and the Slack SDK): structured JSON lines on
 * stderr, or a short human-readable form when stderr is a terminal.
 *
 * Secrets never reach the output, at any level, behind three fences:
 * 1. by design: no raw request options, headers or config objects are logged, errors go through
 *    a serializer that keeps only what explains them (never a request, response or options);
 * 2. redaction of known keys (`password`, `token`, `authorization`, …) in logged objects;
 * 3. a last pass over every finished line: token-shaped strings (`xoxb-…`, `xapp-…`,
 *    `Bearer …`, `"token":"…"`, `?ticket=…`) and the configured secret values are censored.
 */
import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';

export type Logger = PinoLogger;
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export const CENSORED = '[redacted]';

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

/**
 * Token shapes censored wherever they appear in a line (messages from libraries are strings,
 * which key-based redaction cannot see). Quotes may be JSON-escaped (`\"`) inside a message.
 */
const SECRET_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // Slack tokens: bot, user, refresh, config, app-level.
  [/\bxox[abposre]-[A-Za-z0-9-]+/g, `xox-${CENSORED}`],
  [/\bxapp-[A-Za-z0-9-]+/g, `xapp-${CENSORED}`],
  // Authorization header values.
  [/\b(Bearer|Basic)\s+[^\s"'\\,;]+/gi, `$1 ${CENSORED}`],
  // "token":"…", "password":"…" and friends inside stringified JSON (escaped or not).
  [
    /(\\?["'](?:[A-Za-z_]*token|password|secret|client_secret|signing_secret|authorization)\\?["']\s*:\s*\\?["'])[^"'\\]*(\\?["'])/gi,
    `$1${CENSORED}$2`,
  ],
  // Credentials in URLs: Socket Mode tickets, tokens and passwords in query strings, user:password@.
  [/([?&](?:ticket|token|access_token|refresh_token|password)=)[^&\s"'\\]+/gi, `$1${CENSORED}`],
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^:/\s"'@]*:)[^@\s"'/]+@/gi, `$1${CENSORED}@`],
];

/** Censors token-shaped substrings (see SECRET_PATTERNS) and the given secret values. */
export function scrubSecrets(text: string, secrets: readonly string[] = []): string {
  let result = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) result = result.replace(pattern, replacement);
  for (const secret of secrets) {
    if (result.includes(secret)) result = result.split(secret).join(CENSORED);
    // Inside a JSON line a secret with quotes or backslashes appears escaped.
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret && result.includes(escaped)) result = result.split(escaped).join(CENSORED);
  }
  return result;
}

/** What an error says about itself, and nothing it merely carries (requests, responses, options). */
export interface SafeError {
  type: string;
  message: string;
  stack?: string;
  code?: string;
  kind?: string;
  status?: number;
  /** Slack's error code (`missing_scope`, `invalid_auth`, …) and the scope it needed. */
  slackError?: string;
  needed?: string;
  cause?: SafeError | string;
}

export function serializeError(error: unknown, depth = 0): SafeError | string {
  if (!(error instanceof Error)) {
    if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string') {
      return { type: 'Object', message: error.message };
    }
    return String(error);
  }
  const fields = error as Error & { code?: unknown; kind?: unknown; status?: unknown; data?: unknown };
  const safe: SafeError = { type: error.name || error.constructor.name, message: error.message };
  if (error.stack) safe.stack = error.stack;
  if (typeof fields.code === 'string') safe.code = fields.code;
  if (typeof fields.kind === 'string') safe.kind = fields.kind;
  if (typeof fields.status === 'number') safe.status = fields.status;
  if (typeof fields.data === 'object' && fields.data !== null) {
    const data = fields.data as { error?: unknown; needed?: unknown };
    if (typeof data.error === 'string') safe.slackError = data.error;
    if (typeof data.needed === 'string') safe.needed = data.needed;
  }
  if (error.cause !== undefined && depth < 4) safe.cause = serializeError(error.cause, depth + 1);
  return safe;
}

export interface Sink {
  write(chunk: string): unknown;
}

export interface LoggerOptions {
  readonly level?: LogLevel | 'silent';
  /** Defaults to stderr, so that `--json` output on stdout stays one clean document. */
  readonly destination?: NodeJS.WritableStream | Sink;
  /** Values censored wherever they appear (configured passwords, tokens, the signing secret). */
  readonly secrets?: ReadonlyArray<string | null | undefined>;
  /**
   * 'json' always; 'pretty' always; 'auto' (default): pretty when the destination is the
   * process's stderr and that is a terminal.
   */
  readonly format?: 'json' | 'pretty' | 'auto';
}

/** Secrets shorter than this are not censored by value: they would blank out ordinary words. */
const MIN_SECRET_LENGTH = 6;

export function createLogger(options: LoggerOptions = {}): Logger {
  const level: LevelWithSilent = options.level ?? 'info';
  const target: Sink = options.destination ?? pino.destination({ fd: 2, sync: true });
  const secrets = [...new Set((options.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH))]
    // The longest first, so that a secret containing another is censored whole.
    .sort((a, b) => b.length - a.length);
  const toStderr = options.destination === undefined || options.destination === process.stderr;
  const pretty = options.format === 'pretty' || (options.format !== 'json' && toStderr && process.stderr.isTTY === true);
  const colours = pretty && toStderr && process.stderr.isTTY === true && !process.env['NO_COLOR'];
  const sink: Sink = {
    write: (line: string) => {
      const clean = scrubSecrets(line, secrets);
      return target.write(pretty ? prettyLine(clean, colours) : clean);
    },
  };
  return pino(
    {
      name: 'restorepoints',
      level,
      redact: { paths: [...REDACTED_PATHS], censor: CENSORED },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: (error: unknown) => serializeError(error) },
    },
    sink as NodeJS.WritableStream,
  );
}

/**
 * For the few lines that say the process started, where it listens, when it next posts and that
 * it stopped: an operator needs them whatever LOG_LEVEL (or `--demo`'s quieter default) says.
 * They stay `info` records; only a silent logger keeps them silent.
 */
export function lifecycleLogger(logger: Logger): Logger {
  if (logger.isLevelEnabled('info') || logger.level === 'silent') return logger;
  return logger.child({}, { level: 'info' });
}

/** For tests and library use: a logger that writes nothing. */
export function silentLogger(): Logger {
  return createLogger({ level: 'silent' });
}

// ---- the human-readable form (a terminal only; containers and files get JSON) ----

const LEVEL_STYLE: Record<string, readonly [string, string]> = {
  trace: ['TRACE', '90'],
  debug: ['DEBUG', '90'],
  info: ['INFO ', '32'],
  warn: ['WARN ', '33'],
  error: ['ERROR', '31'],
  fatal: ['FATAL', '35'],
};

const HIDDEN_KEYS = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'err', 'component']);

function paint(text: string, code: string, colours: boolean): string {
  return colours ? `\u001b[${code}m${text}\u001b[0m` : text;
}

function value(field: unknown): string {
  if (typeof field === 'string') return /^[^\s"=]+$/.test(field) ? field : JSON.stringify(field);
  return JSON.stringify(field) ?? String(field);
}

function errorLines(error: unknown): string {
  if (typeof error !== 'object' || error === null) return error === undefined ? '' : `\n    ${String(error)}`;
  const { stack, message, cause } = error as { stack?: unknown; message?: unknown; cause?: unknown };
  const text = typeof stack === 'string' ? stack : typeof message === 'string' ? message : JSON.stringify(error);
  const own = `\n${text.split('\n').map((line) => `    ${line.trim()}`).join('\n')}`;
  return cause === undefined ? own : `${own}\n    caused by:${errorLines(cause)}`;
}

/** `08:00:01.234 INFO  [bolt] message  key=value …`, then an error's stack, indented. */
export function prettyLine(line: string, colours = false): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof record['time'] === 'string' ? record['time'].slice(11, 23) : '';
  const [label, colour] = LEVEL_STYLE[String(record['level'])] ?? [String(record['level']).toUpperCase().padEnd(5), '0'];
  const component = typeof record['component'] === 'string' ? `${paint(`[${record['component']}]`, '36', colours)} ` : '';
  const fields = Object.entries(record)
    .filter(([key]) => !HIDDEN_KEYS.has(key))
    .map(([key, field]) => `${paint(key, '90', colours)}=${value(field)}`)
    .join(' ');
  const message = typeof record['msg'] === 'string' ? record['msg'] : '';
  return `${paint(time, '90', colours)} ${paint(label, colour, colours)} ${component}${message}${fields ? `  ${fields}` : ''}${errorLines(record['err'])}\n`;
}
