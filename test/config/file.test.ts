import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type Environment } from '../../src/config/load.ts';
import { staleAfterSeconds } from '../../src/restore-points/stale-policy.ts';

const dir = mkdtempSync(join(tmpdir(), 'restorepoints-yaml-'));
let files = 0;
function yamlFile(text: string): string {
  const path = join(dir, `appliances-${++files}.yaml`);
  writeFileSync(path, text);
  return path;
}
const secret = join(dir, 'weu-password');
writeFileSync(secret, 'weu-secret\n');

function load(env: Environment) {
  return loadConfig(env, { appliances: true, slack: 'none' });
}
function problems(env: Environment): string[] {
  try {
    load(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
}

const TWO = `
appliances:
  - name: westeurope
    url: https://vba-weu.example.com
    username: restorepoints
    passwordFile: ${secret}
    apiVersion: v8.1
    staleAfter: Snapshot=12h
    digestChannels: [C0WEU0001]
  - name: eastus
    url: https://vba-eus.example.com:8443
    username: restorepoints
    passwordEnv: VBA_EUS_PASSWORD
`;

describe('RESTOREPOINTS_CONFIG', () => {
  it('lists several appliances, each with its own settings', () => {
    const config = load({ RESTOREPOINTS_CONFIG: yamlFile(TWO), VBA_EUS_PASSWORD: 'eus-secret', STALE_AFTER: 'AzureBlob=2d' });
    expect(config.appliances.map((a) => [a.name, a.url, a.password, a.apiVersion])).toEqual([
      ['westeurope', 'https://vba-weu.example.com', 'weu-secret', 'v8.1'],
      ['eastus', 'https://vba-eus.example.com:8443', 'eus-secret', 'auto'],
    ]);
    const [weu, eus] = config.appliances;
    expect(staleAfterSeconds(weu!.staleAfter, 'Snapshot')).toBe(12 * 3600);
    expect(staleAfterSeconds(weu!.staleAfter, 'AzureBlob')).toBe(2 * 86_400);
    expect(staleAfterSeconds(eus!.staleAfter, 'Snapshot')).toBe(26 * 3600);
    expect(weu!.digestChannels).toEqual(['C0WEU0001']);
    expect(config.warnings).toEqual([]);
  });

  it('names the file, the entry and the field of every problem, all at once', () => {
    const file = yamlFile(`
appliances:
  - name: westeurope
    url: vba-weu.example.com
    username: restorepoints
    pasword: typo
  - name: WestEurope
    url: https://vba.example.com
    username: restorepoints
    passwordEnv: NOT_SET_ANYWHERE
    apiVersion: v9
    staleAfter: Snapshot=soon
    digestChannels: ['#ops']
  - url: https://x.example.com
    username: u
    password: p
    passwordFile: /nope
`);
    const found = problems({ RESTOREPOINTS_CONFIG: file });
    const text = found.join('\n');
    expect(text).toContain(`${file}: appliances[0] (westeurope): unknown field pasword (check the spelling)`);
    expect(text).toContain(`${file}: appliances[1] (WestEurope): name "WestEurope" is already used by appliances[0]`);
    expect(text).toContain(`${file}: appliances[1] (WestEurope): passwordEnv names NOT_SET_ANYWHERE, which is not set`);
    expect(text).toMatch(/appliances\[1\] \(WestEurope\): apiVersion="v9" is not a known API version/);
    expect(text).toMatch(/appliances\[1\] \(WestEurope\): staleAfter: "Snapshot=soon"/);
    expect(text).toMatch(/appliances\[1\] \(WestEurope\): digestChannels: "#ops" is not a channel ID/);
    expect(text).toContain(`${file}: appliances[2]: name is required`);
    expect(found.length).toBeGreaterThanOrEqual(7);
  });

  it('names a bad URL with its entry', () => {
    const file = yamlFile('appliances:\n  - {name: a, url: "not a url", username: u, passwordEnv: P}\n');
    expect(problems({ RESTOREPOINTS_CONFIG: file, P: 'x' }).join()).toContain(`${file}: appliances[0] (a): url="not a url" is not a URL`);
  });

  it('allows an inline password, with a warning', () => {
    const config = load({ RESTOREPOINTS_CONFIG: yamlFile('appliances:\n  - {name: a, url: "https://a.example.com", username: u, password: inline}\n') });
    expect(config.appliances[0]!.password).toBe('inline');
    expect(config.warnings.join()).toMatch(/the password is written in the file; prefer passwordFile or passwordEnv/);
  });

  it('refuses the file together with the single-appliance variables', () => {
    expect(problems({ RESTOREPOINTS_CONFIG: yamlFile(TWO), VBA_EUS_PASSWORD: 'x', VEEAM_URL: 'https://other.example.com' }).join()).toMatch(
      /RESTOREPOINTS_CONFIG and VEEAM_URL are both set: which appliances are meant is unclear/,
    );
  });

  it('says what is wrong with the file itself', () => {
    expect(problems({ RESTOREPOINTS_CONFIG: join(dir, 'missing.yaml') }).join()).toMatch(/missing\.yaml, which cannot be read \(ENOENT\)/);
    expect(problems({ RESTOREPOINTS_CONFIG: yamlFile('appliances: [\n') }).join()).toMatch(/is not valid YAML/);
    expect(problems({ RESTOREPOINTS_CONFIG: yamlFile('appliance:\n  - name: a\n') }).join()).toMatch(/expected a list under "appliances:"/);
    expect(problems({ RESTOREPOINTS_CONFIG: yamlFile('appliances: []\n') }).join()).toMatch(/lists no appliances/);
  });
});
