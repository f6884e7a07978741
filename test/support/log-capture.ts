/** A real logger whose lines a test can read. */
import { createLogger, type Logger, type LogLevel } from '../../src/log.ts';

export interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export function captureLogger(level: LogLevel = 'debug'): { logger: Logger; lines: LogLine[]; raw: string[] } {
  const lines: LogLine[] = [];
  const raw: string[] = [];
  const logger = createLogger({
    level,
    destination: {
      write: (chunk: string) => {
        raw.push(chunk);
        lines.push(JSON.parse(chunk) as LogLine);
      },
    },
  });
  return { logger, lines, raw };
}
