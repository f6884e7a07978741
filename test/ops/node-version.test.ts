/**
 * A clone run with a Node too old for the TypeScript sources gets one line saying what to install,
 * from the command and from the test set-up, instead of ERR_UNKNOWN_FILE_EXTENSION and a stack trace.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nodeVersionProblem } from '../../bin/node-version.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('nodeVersionProblem', () => {
  it('turns away versions older than 22.18, naming the version and what to install', () => {
    for (const version of ['18.19.0', '20.20.2', '22.17.1']) {
      const problem = nodeVersionProblem(version);
      expect(problem).toContain('restorepoints needs Node.js 22.18 or newer (24 LTS recommended)');
      expect(problem).toContain(`this is Node ${version}.`);
      expect(problem).toContain('Install Node.js 24');
      expect(problem).not.toContain('\n');
    }
  });

  it('accepts 22.18 and newer', () => {
    for (const version of ['22.18.0', '22.20.1', '23.0.0', '24.21.0', '26.1.0']) expect(nodeVersionProblem(version)).toBeUndefined();
  });
});

/** A Node older than 22.18 installed on this machine (Debian's, say), if any. */
function olderNode(): { path: string; version: string } | undefined {
  for (const path of ['/usr/bin/node', '/usr/local/bin/node', '/bin/node']) {
    if (!existsSync(path)) continue;
    try {
      const version = execFileSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8', timeout: 10_000 }).trim();
      if (nodeVersionProblem(version) !== undefined) return { path, version };
    } catch {
      // not a working node: try the next
    }
  }
  return undefined;
}

const old = olderNode();

describe.skipIf(old === undefined)(`on an older Node (${old?.version ?? 'none found'})`, () => {
  const expected = `restorepoints needs Node.js 22.18 or newer (24 LTS recommended); this is Node ${old?.version}. Install Node.js 24 (https://nodejs.org/en/download, or \`nvm install 24\`), then run the command again.\n`;

  it('`restorepoints demo` prints one line saying what to install, and fails', () => {
    const result = spawnSync(old!.path, [`${ROOT}bin/restorepoints.js`, 'demo'], { encoding: 'utf8', timeout: 15_000 });
    expect(result.stderr).toBe(expected);
    expect(result.stdout).toBe('');
    expect(result.status).toBe(2);
  });

  it('the test set-up (vitest.config.ts) says the same before any test runs', () => {
    const result = spawnSync(old!.path, [`${ROOT}node_modules/vitest/vitest.mjs`, 'run', '--root', ROOT, 'test/lib/duration.test.ts'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: process.env['PATH'] ?? '' },
    });
    expect(result.stderr).toContain(expected);
    expect(result.status).toBe(2);
  });
});
