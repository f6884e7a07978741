/**
 * Waiting for something, but not forever: shutdown steps (closing Slack, logging out of an
 * appliance) must never hold the process longer than their share of the grace period.
 */

/** True when `work` settled within `ms`, false when the time ran out first (the work goes on). */
export function settledWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([work.then(() => true as const, () => true as const), timeout]).finally(() => clearTimeout(timer));
}
