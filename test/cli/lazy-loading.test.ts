/**
 * Each command loads only what it uses: --help, summary, query and demo never load Bolt (and
 * express under it), redis or prom-client. Checked on real processes that record every module
 * they resolve (test/cli/record-modules.ts); no timing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'restorepoints-modules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEAVY = ['@slack/', 'express', 'redis', 'prom-client'];

/** The packages (under node_modules) a run of `restorepoints ...args` resolved. */
async function packagesLoadedBy(args: readonly string[]): Promise<string[]> {
  const file = path.join(dir, `${args.join('-').replace(/[^a-z-]/gi, '') || 'none'}.txt`);
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(VEEAM_|SLACK_|REDIS_|DIGEST_|RESTOREPOINTS_)/.test(name)));
  await promisify(execFile)(process.execPath, ['--import', './test/cli/record-modules.ts', 'bin/restorepoints.ts', ...args], {
    cwd: ROOT,
    env: { ...env, RECORD_MODULES_TO: file, LOG_LEVEL: 'error' },
    timeout: 30_000,
  }).catch((error: { code?: unknown }) => {
    if (typeof error.code !== 'number') throw error; // a non-zero exit is fine: only the modules matter
  });
  const urls = readFileSync(file, 'utf8').split('\n');
  return [...new Set(urls.filter((url) => url.includes('/node_modules/')).map((url) => url.slice(url.lastIndexOf('/node_modules/') + '/node_modules/'.length)))];
}

const heavy = (loaded: readonly string[]) => loaded.filter((module) => HEAVY.some((name) => module.startsWith(name)));

describe('the command line loads each command when it runs', () => {
  it.each([[['--help']], [['summary', '--demo']], [['query', '--demo', 'vm-erp']], [['demo', '--json']]])(
    '%j loads neither Bolt, express, redis, prom-client nor the whole of date-fns',
    async (args) => {
      const loaded = await packagesLoadedBy(args);
      expect(loaded.length).toBeGreaterThan(0);
      expect(heavy(loaded)).toEqual([]);
      // date-fns is imported a function at a time: its index loads every function it has.
      expect(loaded.filter((module) => /^date-fns\/index\./.test(module))).toEqual([]);
    },
    40_000,
  );

  it('still loads Bolt for the commands that use it (the recorder sees them)', async () => {
    const loaded = await packagesLoadedBy(['check']);
    expect(heavy(loaded).some((module) => module.startsWith('@slack/bolt/'))).toBe(true);
  }, 40_000);
});
