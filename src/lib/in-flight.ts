/**
 * Work started after an ack (answers, digests) that a graceful shutdown should let finish:
 * Bolt's stop() closes the server but does not wait for it.
 */
import { within } from './timeout.ts';

export class InFlight {
  readonly #running = new Set<Promise<unknown>>();

  get size(): number {
    return this.#running.size;
  }

  track<T>(work: Promise<T>): Promise<T> {
    this.#running.add(work);
    const forget = () => this.#running.delete(work);
    work.then(forget, forget);
    return work;
  }

  /** Resolves when everything tracked has settled, or after `timeoutMs`; true when all finished. */
  async drain(timeoutMs: number): Promise<boolean> {
    const all = (async () => {
      while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
      return true;
    })();
    return within(all, timeoutMs, () => false);
  }
}
