/** Types for node-version.js, which stays plain JavaScript so that old Node versions can run it. */
export declare const MINIMUM_NODE: readonly [number, number];
export declare function nodeVersionProblem(version: string): string | undefined;
