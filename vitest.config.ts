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
    // Most tests wait on real servers, processes and timers rather than compute (the whole suite is
    // about two minutes of CPU): four files at a time on two cores keep the wall time short.
    maxWorkers: 4,
  },
});
