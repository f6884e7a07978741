/**
 * At most N requests in flight to one appliance, however many collections and pages are being
 * read at once: an appliance is a small VM, and the bot should not be the load on it.
 */
export type RequestSlots = <T>(work: () => Promise<T>) => Promise<T>;

export function requestSlots(limit: number): RequestSlots {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (work) => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await work();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}
