/** Bolt and the Slack SDK log through the app's own logger: one stream, one redaction. */
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../log.ts';

const TO_PINO: Record<LogLevel, 'debug' | 'info' | 'warn' | 'error'> = {
  [LogLevel.DEBUG]: 'debug',
  [LogLevel.INFO]: 'info',
  [LogLevel.WARN]: 'warn',
  [LogLevel.ERROR]: 'error',
};

function text(part: unknown): string {
  if (typeof part === 'string') return part;
  try {
    return JSON.stringify(part) ?? String(part);
  } catch {
    return String(part); // circular: the type's name is enough
  }
}

/**
 * Bolt passes strings and Errors; an Error goes through the error serializer (message, code,
 * stack, causes; never the request it carries). Strings may hold what the SDKs print at debug
 * (payloads, request results): the logger censors token-shaped text in every line it writes.
 */
function line(parts: unknown[]): { message: string; err?: Error } {
  const err = parts.find((part): part is Error => part instanceof Error);
  const message = parts
    .filter((part) => !(part instanceof Error))
    .map(text)
    .join(' ');
  return err ? { message: message || err.message, err } : { message };
}

export function boltLogger(logger: Logger): BoltLogger {
  let target = logger.child({ component: 'bolt' });
  const emit = (wanted: 'debug' | 'info' | 'warn' | 'error') => (...parts: unknown[]) => {
    const { message, err } = line(parts);
    // Said once, with the fix, by the bot token check (token-check.ts): not once per request.
    const level = message.startsWith('Authorization of incoming event did not succeed') ? 'debug' : wanted;
    if (err) target[level]({ err }, message);
    else target[level](message);
  };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    // The app's LOG_LEVEL governs: Bolt may ask, it may not lower or raise it.
    setLevel: () => undefined,
    getLevel: () => (Object.entries(TO_PINO).find(([, pino]) => pino === target.level)?.[0] as LogLevel | undefined) ?? LogLevel.INFO,
    setName: (name: string) => {
      target = logger.child({ component: name });
    },
  };
}
