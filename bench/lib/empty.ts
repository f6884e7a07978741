/** The start-up floor: node with nothing to load. */
export {};
