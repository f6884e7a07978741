/**
 * One read of an appliance (its inventory, its points and its failed sessions) ends within
 * READ_TIMEOUT, counted from the start of the read: each part runs within what is left, and at
 * the deadline its requests are aborted. The parts share the start through a `ReadWindow`.
 */
import { within } from '../lib/timeout.ts';
import type { ReadWindow } from '../restore-points/source.ts';

/** Milliseconds left of the read that opened `window` (a whole READ_TIMEOUT for a read of its own). */
export function remainingOf(window: ReadWindow | undefined, readTimeoutMs: number): number {
  return window ? window.startedAt + readTimeoutMs - performance.now() : readTimeoutMs;
}

/**
 * `run`'s result, or, when `ms` pass first (or none are left), `onLate`'s: the signal handed to
 * `run` is then aborted with `late`, and whatever `run` does afterwards is ignored.
 */
export async function untilDeadline<T, F>(ms: number, run: (signal: AbortSignal) => Promise<T>, late: () => Error, onLate: (reason: Error) => F): Promise<T | F> {
  if (ms <= 0) return onLate(late());
  const controller = new AbortController();
  const work = run(controller.signal);
  const outcome = await within(
    work.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    ms,
    () => null,
  );
  if (outcome !== null) {
    if ('error' in outcome) throw outcome.error;
    return outcome.value;
  }
  const reason = late();
  controller.abort(reason);
  work.catch(() => undefined);
  return onLate(reason);
}
