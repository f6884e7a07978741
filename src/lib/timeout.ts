/**
 * Waiting for something, but not forever: the one place that races work against a timer.
 * The work itself is never cancelled here: it goes on, and whoever owns it decides what to do
 * with a late result. The timer is always cleared, so a finished wait never holds the process.
 */

/**
 * The work's result, or `onTimeout()`'s when `ms` pass first. A throwing `onTimeout` makes
 * the wait reject with what it threw.
 */
export function within<T, F>(work: Promise<T>, ms: number, onTimeout: () => F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<F>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(onTimeout());
      } catch (error) {
        reject(error);
      }
    }, ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** The work's result, or a rejection saying that `what` did not answer within `ms`. */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return within(work, ms, () => {
    throw new Error(`${what} did not answer within ${ms} ms`);
  });
}

/** True when `work` settled (either way) within `ms`, false when the time ran out first. */
export function settledWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  return within(
    work.then(() => true, () => true),
    ms,
    () => false,
  );
}
