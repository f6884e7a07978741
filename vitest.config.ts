import { defineConfig } from 'vitest/config';
import { nodeVersionProblem } from './bin/node-version.js';

// On a Node too old to run the TypeScript sources, many tests would fail for one reason and vitest
// itself may crash: say what to install, once, before anything runs.
const nodeProblem = nodeVersionProblem(process.versions.node);
if (nodeProblem !== undefined) {
  process.stderr.write(`${nodeProblem}\n`);
  process.exit(2);
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real servers on loopback; keep them honest but bounded.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
