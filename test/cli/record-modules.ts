/**
 * Preloaded with `node --import` by test/cli/lazy-loading.test.ts: writes every module the process
 * resolved (ESM and require alike) to the file named by RECORD_MODULES_TO when it exits.
 */
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const target = process.env['RECORD_MODULES_TO'];
const resolved = new Set<string>();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context);
    resolved.add(result.url);
    return result;
  },
});
process.on('exit', () => {
  if (target) writeFileSync(target, [...resolved].join('\n'));
});
