/**
 * Where the alert state lives: one JSON document, changed as a whole in one step. The alert
 * transitions compute a whole next state, so a store only has to make "read, change, write"
 * atomic: a SQLite transaction on one machine, a compare-and-set in Redis between replicas.
 */

/** A change: from the stored document (null when none) to the new one and a result for the caller. */
export type Change<T> = (current: unknown) => { readonly value: unknown; readonly result: T };

export interface StateStore {
  /** Where the state is, for logs and `restorepoints alerts` (a Redis URL without its password). */
  readonly where: string;
  /** The stored document; null when nothing was ever saved. */
  read(): Promise<unknown>;
  /**
   * Reads, changes and writes atomically. `change` must be pure: it runs again when another
   * replica wrote in between.
   */
  update<T>(change: Change<T>): Promise<T>;
  close(): Promise<void>;
}
