/**
 * Preloaded (`node --import`) into the processes the benchmark starts as a user would (start-up,
 * `summary --json`): on exit, writes to USAGE_REPORT_TO the peak RSS and every module resolved.
 */
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const target = process.env['USAGE_REPORT_TO'];
const modules = new Set<string>();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context);
    modules.add(result.url);
    return result;
  },
});
process.on('exit', () => {
  if (target) writeFileSync(target, JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, modules: [...modules] }));
});
