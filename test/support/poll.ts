/** Waiting in tests for something that happens over the network, with real timers. */

export type Poll = { readonly met: true } | { readonly met: false; readonly lastError: unknown };

/**
 * Asks `predicate` every 10 ms until it returns true (or nothing: an `expect` inside that passed)
 * or `timeoutMs` has passed. A throw counts as "not yet", and the last one is kept for the message.
 */
export async function pollUntil(predicate: () => boolean | void, timeoutMs: number): Promise<Poll> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const result = predicate();
      if (result === true || result === undefined) return { met: true };
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) return { met: false, lastError };
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** `\nlast failure: …` for an error message, or nothing. */
export function lastFailure(error: unknown): string {
  if (error === undefined) return '';
  return `\nlast failure: ${error instanceof Error ? error.message : String(error)}`;
}
