/** READ_TIMEOUT, an appliance's readTimeout and MAX_PAGE_BYTES (issue 11): parsed once, handed to each appliance. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type Environment } from '../../src/config/load.ts';

const APPLIANCE: Environment = { VEEAM_URL: 'https://vba.example.com', VEEAM_USERNAME: 'restorepoints', VEEAM_PASSWORD: 'pw' };
const load = (env: Environment) => loadConfig(env, { appliances: true, slack: 'none' });
function problems(env: Environment): string[] {
  try {
    load(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
}

describe('READ_TIMEOUT and MAX_PAGE_BYTES', () => {
  it('leave the client defaults (2m, 64MiB) when unset', () => {
    const [appliance] = load(APPLIANCE).appliances;
    expect(appliance!.readTimeoutMs).toBeUndefined();
    expect(appliance!.maxPageBytes).toBeUndefined();
  });

  it('reach every appliance as plain numbers', () => {
    const [appliance] = load({ ...APPLIANCE, READ_TIMEOUT: '90s', MAX_PAGE_BYTES: '16MiB' }).appliances;
    expect(appliance).toMatchObject({ readTimeoutMs: 90_000, maxPageBytes: 16 * 1024 ** 2 });
  });

  it('name the variable and the fix when wrong', () => {
    expect(problems({ ...APPLIANCE, READ_TIMEOUT: 'soon', MAX_PAGE_BYTES: '64MB' })).toEqual([
      'READ_TIMEOUT="soon" is not a duration of at least a second, such as 2m, 90s or 5m.',
      'MAX_PAGE_BYTES="64MB" is not a size of at least 1KiB: give bytes, or a number with KiB, MiB or GiB (e.g. 64MiB).',
    ]);
    expect(problems({ ...APPLIANCE, READ_TIMEOUT: '0s' })).toHaveLength(1);
  });

  it('an appliance of the YAML file may set its own readTimeout, which wins over READ_TIMEOUT', () => {
    const dir = mkdtempSync(join(tmpdir(), 'restorepoints-bounds-'));
    const path = join(dir, 'appliances.yaml');
    writeFileSync(
      path,
      ['appliances:', '  - {name: slow, url: https://slow.example.com, username: u, password: p, readTimeout: 5m}', '  - {name: quick, url: https://quick.example.com, username: u, password: p}', ''].join('\n'),
    );
    const config = load({ RESTOREPOINTS_CONFIG: path, READ_TIMEOUT: '1m', MAX_PAGE_BYTES: '1GiB' });
    expect(config.appliances.map((a) => [a.name, a.readTimeoutMs, a.maxPageBytes])).toEqual([
      ['slow', 300_000, 1024 ** 3],
      ['quick', 60_000, 1024 ** 3],
    ]);
    writeFileSync(path, ['appliances:', '  - {name: slow, url: https://slow.example.com, username: u, password: p, readTimeout: forever}', ''].join('\n'));
    expect(problems({ RESTOREPOINTS_CONFIG: path })).toEqual([`${path}: appliances[0] (slow): readTimeout="forever" is not a duration of at least a second, such as 2m, 90s or 5m.`]);
  });
});
