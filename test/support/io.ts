/** A CommandIo that captures what a command writes, for running commands in-process. */
import type { CommandIo } from '../../src/commands/io.ts';

export interface CapturedIo extends CommandIo {
  readonly out: () => string;
  readonly err: () => string;
}

export function captureIo(env: Record<string, string | undefined>, now: () => number = Date.now): CapturedIo {
  let out = '';
  let err = '';
  return {
    stdout: { write: (chunk: string) => (out += chunk) },
    stderr: { write: (chunk: string) => (err += chunk) },
    env: { TZ: 'UTC', ...env },
    now,
    out: () => out,
    err: () => err,
  };
}
