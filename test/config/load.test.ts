import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type ConfigNeeds, type Environment } from '../../src/config/load.ts';
import { staleAfterSeconds } from '../../src/restore-points/stale-policy.ts';

const dir = mkdtempSync(join(tmpdir(), 'restorepoints-config-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

const APPLIANCE: Environment = { VEEAM_URL: 'https://vba.example.com', VEEAM_USERNAME: 'restorepoints', VEEAM_PASSWORD: 'pw' };

function problemsOf(env: Environment, needs: ConfigNeeds = { appliances: true, slack: 'none' }): string[] {
  try {
    loadConfig(env, needs);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
}

describe('loadConfig', () => {
  it('has sensible defaults', () => {
    const config = loadConfig(APPLIANCE, { appliances: true, slack: 'none' });
    expect(config.appliances).toHaveLength(1);
    const [appliance] = config.appliances;
    expect(appliance).toMatchObject({ name: 'vba.example.com', url: 'https://vba.example.com', apiVersion: 'auto', tlsInsecure: false, caPem: null });
    expect(staleAfterSeconds(appliance!.staleAfter, 'Snapshot')).toBe(26 * 3600);
    expect(staleAfterSeconds(appliance!.staleAfter, 'AzureBlob')).toBe(26 * 3600);
    expect(staleAfterSeconds(appliance!.staleAfter, 'ManualSnapshot')).toBeNull();
    expect(config).toMatchObject({ port: 3000, cacheTtlMs: 60_000, logLevel: 'info', redisUrl: null });
    expect(config.digest).toEqual({ channels: [], cron: '0 8 * * *', timeZone: 'UTC' });
  });

  it('reads FAILURE_WINDOW as a duration, 24h by default, and refuses what is not one', () => {
    expect(loadConfig(APPLIANCE, { appliances: true, slack: 'none' }).failureWindowMs).toBe(24 * 3_600_000);
    expect(loadConfig({ ...APPLIANCE, FAILURE_WINDOW: '36h' }, { appliances: true, slack: 'none' }).failureWindowMs).toBe(36 * 3_600_000);
    expect(problemsOf({ ...APPLIANCE, FAILURE_WINDOW: 'yesterday' }).join(' ')).toMatch(/FAILURE_WINDOW="yesterday"/);
    expect(problemsOf({ ...APPLIANCE, FAILURE_WINDOW: '0s' }).join(' ')).toMatch(/FAILURE_WINDOW/);
  });

  it('reports every problem at once, each naming its variable', () => {
    const problems = problemsOf({
      VEEAM_URL: 'not a url',
      VEEAM_API_VERSION: 'v9',
      VEEAM_TLS_INSECURE: 'maybe',
      STALE_AFTER: 'Snapshot=soon',
      CACHE_TTL: 'forever',
      PORT: 'eighty',
      LOG_LEVEL: 'chatty',
      DIGEST_CHANNELS: 'general',
      DIGEST_CRON: '0 25 * * *',
      DIGEST_TIMEZONE: 'Mars/Olympus',
    });
    for (const variable of [
      'VEEAM_URL',
      'VEEAM_USERNAME',
      'VEEAM_PASSWORD',
      'VEEAM_API_VERSION',
      'VEEAM_TLS_INSECURE',
      'STALE_AFTER',
      'CACHE_TTL',
      'PORT',
      'LOG_LEVEL',
      'DIGEST_CHANNELS',
      'DIGEST_CRON',
      'DIGEST_TIMEZONE',
    ]) {
      expect(problems.some((problem) => problem.includes(variable)), variable).toBe(true);
    }
  });

  it('reads the password from VEEAM_PASSWORD_FILE, trimmed', () => {
    const config = loadConfig(
      { ...APPLIANCE, VEEAM_PASSWORD: undefined, VEEAM_PASSWORD_FILE: file('pw', 's3cret\n') },
      { appliances: true, slack: 'none' },
    );
    expect(config.appliances[0]!.password).toBe('s3cret');
  });

  it('refuses both a password and a password file, and an unreadable file', () => {
    expect(problemsOf({ ...APPLIANCE, VEEAM_PASSWORD_FILE: file('pw2', 'x') }).join()).toMatch(/VEEAM_PASSWORD and VEEAM_PASSWORD_FILE are both set/);
    expect(problemsOf({ ...APPLIANCE, VEEAM_PASSWORD: undefined, VEEAM_PASSWORD_FILE: join(dir, 'missing') }).join()).toMatch(
      /VEEAM_PASSWORD_FILE names .*missing, which cannot be read \(ENOENT\)/,
    );
  });

  it('checks the CA file holds a certificate', () => {
    expect(problemsOf({ ...APPLIANCE, VEEAM_CA_FILE: file('ca.txt', 'hello') }).join()).toMatch(/VEEAM_CA_FILE .* no PEM certificate/);
  });

  it('warns, at every start, when TLS checks are off or the URL is plain http', () => {
    const config = loadConfig({ ...APPLIANCE, VEEAM_URL: 'http://vba.example.com', VEEAM_TLS_INSECURE: 'true' }, { appliances: true, slack: 'none' });
    expect(config.warnings.join('\n')).toMatch(/VEEAM_TLS_INSECURE=true/);
    expect(config.warnings.join('\n')).toMatch(/plain http/);
  });

  it('knows a user token from a bot token, and what HTTP mode needs', () => {
    const needs = { appliances: false, slack: 'app' as const };
    expect(problemsOf({ SLACK_BOT_TOKEN: 'xoxp-1' }, needs).join()).toMatch(/user token \(xoxp-…\): use the Bot User OAuth Token/);
    expect(problemsOf({ SLACK_BOT_TOKEN: 'xoxb-1' }, needs).join()).toMatch(/SLACK_SIGNING_SECRET is not set/);
    expect(problemsOf({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }, needs)).toEqual([]);
    expect(problemsOf({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'abc' }, needs)).toEqual([]);
    expect(problemsOf({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xoxb-2' }, needs).join()).toMatch(/app-level token/);
  });

  it('reads Slack secrets from *_FILE too', () => {
    const config = loadConfig(
      { SLACK_BOT_TOKEN_FILE: file('bot', 'xoxb-from-file\n'), SLACK_SIGNING_SECRET_FILE: file('sig', 'sig\n') },
      { appliances: false, slack: 'app' },
    );
    expect(config.slack).toMatchObject({ botToken: 'xoxb-from-file', signingSecret: 'sig' });
  });

  it('takes channel IDs, not names', () => {
    expect(loadConfig({ DIGEST_CHANNELS: 'C0123ABCD, G0456EFGH' }, { appliances: false, slack: 'none' }).digest.channels).toEqual([
      'C0123ABCD',
      'G0456EFGH',
    ]);
    expect(problemsOf({ DIGEST_CHANNELS: '#backups' }, { appliances: false, slack: 'none' }).join()).toMatch(/not a channel ID/);
  });

  it('says nothing about appliances a command does not need', () => {
    expect(problemsOf({}, { appliances: false, slack: 'none' })).toEqual([]);
  });
});
