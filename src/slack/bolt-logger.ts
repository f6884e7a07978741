/** Bolt and the Slack SDK log through the app's own logger: one stream, one redaction. */
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../log.ts';

const TO_PINO: Record<LogLevel, 'debug' | 'info' | 'warn' | 'error'> = {
  [LogLevel.DEBUG]: 'debug',
  [LogLevel.INFO]: 'info',
  [LogLevel.WARN]: 'warn',
  [LogLevel.ERROR]: 'error',
};

/** Bolt passes strings and Errors; an Error's message and stack are kept, nothing is stringified wholesale. */
function line(parts: unknown[]): { message: string; err?: Error } {
  const err = parts.find((part): part is Error => part instanceof Error);
  const message = parts
    .filter((part) => !(part instanceof Error))
    .map((part) => (typeof part === 'string' ? part : JSON.stringify(part)))
    .join(' ');
  return err ? { message: message || err.message, err } : { message };
}

export function boltLogger(logger: Logger): BoltLogger {
  let target = logger.child({ component: 'bolt' });
  const emit = (level: 'debug' | 'info' | 'warn' | 'error') => (...parts: unknown[]) => {
    const { message, err } = line(parts);
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
