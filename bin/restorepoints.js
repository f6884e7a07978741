#!/usr/bin/env node
// The command `npx restorepoints` runs. Plain JavaScript so that any Node can parse it: it checks the
// version before the TypeScript entry is imported, so an old Node gets one line saying what to
// install instead of ERR_UNKNOWN_FILE_EXTENSION and a stack trace.
import { nodeVersionProblem } from './node-version.js';

const problem = nodeVersionProblem(process.versions.node);
if (problem !== undefined) {
  process.stderr.write(`${problem}\n`);
  process.exitCode = 2;
} else {
  await import('./restorepoints.ts');
}
