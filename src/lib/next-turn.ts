/**
 * Resolves on a later turn of the event loop, after pending I/O callbacks: work that follows an
 * await of an already-settled promise would otherwise run before any waiting request is served.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
