/**
 * `restorepoints check` against the simulator and the fake Slack: one ✓/✗ line per check, the
 * fix under each ✗, and specific advice for the usual mistakes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkCommand } from '../../src/commands/check.ts';
import { demoDataset } from '../../src/simulator/dataset.ts';
import { DEFAULT_SIM_USER, startSimulator, type Simulator } from '../../src/simulator/server.ts';
import { DEFAULT_SCOPES, startFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { captureIo } from '../support/io.ts';
import { skipWithoutRedis, startRedisServer } from '../support/redis-server.ts';
import { closedPort, FAST_RETRY, makeTestCa } from '../support/veeam.ts';

const MFA_USER = { username: 'alice-mfa', password: 'alice-password', mfa: true };
const FAST = { client: { requestTimeoutMs: 2000, retry: { ...FAST_RETRY, limit: 1 } } };

let slack: FakeSlack;
let simulator: Simulator;
let tlsSimulator: Simulator;
let dir: string;

const env = (overrides: Record<string, string | undefined> = {}) => ({
  VEEAM_URL: simulator.url,
  VEEAM_USERNAME: DEFAULT_SIM_USER.username,
  VEEAM_PASSWORD: DEFAULT_SIM_USER.password,
  VEEAM_NAME: 'weu',
  SLACK_BOT_TOKEN: 'xoxb-check-test-token',
  SLACK_SIGNING_SECRET: 'check-test-signing-secret',
  SLACK_API_URL: slack.apiUrl,
  ...overrides,
});

async function check(overrides: Record<string, string | undefined> = {}) {
  const io = captureIo(env(overrides));
  const status = await checkCommand(io, FAST);
  const out = io.out();
  const lines = out.split('\n');
  return { status, out, err: io.err(), failed: lines.filter((line) => line.startsWith('✗')), fixes: lines.filter((line) => line.startsWith('    fix:')) };
}

beforeAll(async () => {
  const ca = await makeTestCa();
  slack = await startFakeSlack();
  simulator = await startSimulator({ dataset: demoDataset({ now: Date.now() }), users: [DEFAULT_SIM_USER, MFA_USER] });
  tlsSimulator = await startSimulator({ dataset: demoDataset({ now: Date.now() }), tls: { key: ca.selfSignedKeyPem, cert: ca.selfSignedCertPem } });
  dir = await mkdtemp(join(tmpdir(), 'restorepoints-check-'));
  await writeFile(join(dir, 'self.pem'), ca.selfSignedCertPem);
});
afterAll(async () => {
  await simulator.close();
  await tlsSimulator.close();
  await slack.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => slack.reset());

describe('restorepoints check', () => {
  it('passes a sound deployment: appliance version, bot and workspace names, each digest channel', async () => {
    slack.setChannel('CMEMBER001', { isMember: true, name: 'backups' });
    slack.setChannel('CPUBLIC001', { isMember: false, name: 'ops' });
    const logoutsBefore = simulator.stats.logouts;
    const result = await check({ DIGEST_CHANNELS: 'CMEMBER001,CPUBLIC001' });
    expect(result.status, result.out + result.err).toBe(0);
    expect(result.out).toMatch(/^✓ configuration: 1 appliance, HTTP mode on PORT 3000, digest at "0 8 \* \* \*" UTC to 2 channels$/m);
    expect(result.out).toMatch(/^✓ appliance weu \(http:\/\/127\.0\.0\.1:\d+\): logged in as restorepoints; API v8\.1, appliance version 8\.1\.0\.37$/m);
    expect(result.out).toMatch(/^✓ Slack: bot @restorepoints \(UBOT\) in the workspace "Test team"/m);
    expect(result.out).toMatch(/^✓ Slack scopes: commands, chat:write, app_mentions:read, users:read, chat:write.public$/m);
    expect(result.out).toMatch(/^✓ channel CMEMBER001 \(#backups\): the bot is a member/m);
    expect(result.out).toMatch(/^✓ channel CPUBLIC001 \(#ops\): public; the bot posts without joining/m);
    expect(result.out).toMatch(/^All \d+ checks passed\.$/m);
    expect(result.failed).toEqual([]);
    expect(slack.callsTo('auth.test')).toHaveLength(1);
    // It logged out of the appliance again.
    expect(simulator.stats.logouts).toBe(logoutsBefore + 1);
  });

  it('reports every configuration problem at once, and still checks the appliance', async () => {
    const result = await check({ SLACK_BOT_TOKEN: undefined, SLACK_SIGNING_SECRET: undefined, DIGEST_CHANNELS: 'general' });
    expect(result.status).toBe(2);
    expect(result.failed.join('\n')).toContain('SLACK_BOT_TOKEN is not set');
    expect(result.failed.join('\n')).toContain('SLACK_SIGNING_SECRET is not set');
    expect(result.failed.join('\n')).toContain('"general" is not a channel ID');
    expect(result.out).toMatch(/^✓ appliance weu .*API v8\.1/m);
    expect(result.out).toMatch(/^! Slack: not checked until the configuration problems above are fixed$/m);
  });

  it('says to use the bot token when given a user token (xoxp-)', async () => {
    const result = await check({ SLACK_BOT_TOKEN: 'xoxp-a-user-token' });
    expect(result.status).toBe(2);
    expect(result.failed.join('\n')).toMatch(/user token \(xoxp-…\): use the Bot User OAuth Token \(xoxb-…\)/);
  });

  it('names a wrong appliance password, with how to confirm it', async () => {
    const result = await check({ VEEAM_PASSWORD: 'not-the-password' });
    expect(result.status).toBe(1);
    expect(result.failed.join('\n')).toMatch(/✗ appliance weu .*refused the username or password for restorepoints/);
    expect(result.fixes.join('\n')).toMatch(/sign in to the appliance web UI .* with the same username and password/);
  });

  it('says an MFA account cannot be used and what to use instead', async () => {
    const result = await check({ VEEAM_USERNAME: MFA_USER.username, VEEAM_PASSWORD: MFA_USER.password });
    expect(result.status).toBe(1);
    expect(result.failed.join('\n')).toContain('multi-factor authentication');
    expect(result.fixes.join('\n')).toMatch(/service account without MFA .*Read-Only User/);
  });

  it('explains a self-signed appliance certificate and how to trust it with VEEAM_CA_FILE', async () => {
    const result = await check({ VEEAM_URL: tlsSimulator.url });
    expect(result.status).toBe(1);
    expect(result.failed.join('\n')).toMatch(/not trusted \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\)/);
    expect(result.fixes.join('\n')).toMatch(/self-signed certificate .*openssl s_client -connect 127\.0\.0\.1:\d+ .*VEEAM_CA_FILE=/);
    const trusted = await check({ VEEAM_URL: tlsSimulator.url, VEEAM_CA_FILE: join(dir, 'self.pem') });
    expect(trusted.status, trusted.out).toBe(0);
  });

  it('says where to look when the appliance cannot be reached', async () => {
    const result = await check({ VEEAM_URL: `http://127.0.0.1:${await closedPort()}` });
    expect(result.status).toBe(1);
    expect(result.failed.join('\n')).toMatch(/Cannot reach 127\.0\.0\.1:\d+/);
    expect(result.fixes.join('\n')).toMatch(/check VEEAM_URL .*firewalls/);
  });

  it('says a refused port was refused, in the words the README troubleshooting table looks for', async () => {
    for (const host of ['127.0.0.1', 'localhost']) {
      const result = await check({ VEEAM_URL: `https://${host}:${await closedPort()}` });
      expect(result.failed.join('\n')).toMatch(new RegExp(`Cannot reach ${host}:\\d+: the connection was refused`));
    }
  });

  it('with Slack unreachable, prints only its own lines: no JSON log line among them', async () => {
    const result = await check({ SLACK_API_URL: `http://127.0.0.1:${await closedPort()}/api/` });
    expect(result.status).toBe(1);
    expect(result.failed).toEqual(['✗ Slack: auth.test failed (unreachable)']);
    expect(result.fixes.join('\n')).toContain("cannot reach Slack's Web API");
    expect(result.out).not.toContain('{"level"');
    expect(result.err).toBe('');
  });

  it('says how to fix a token Slack refuses (invalid_auth)', async () => {
    slack.script('auth.test', { body: { ok: false, error: 'invalid_auth' } });
    const result = await check();
    expect(result.status).toBe(1);
    expect(result.failed).toEqual(['✗ Slack: auth.test failed (invalid_auth)']);
    expect(result.fixes.join('\n')).toMatch(/copy the Bot User OAuth Token \(xoxb-…\) again/);
  });

  it('names the scopes the token lacks', async () => {
    slack.script('auth.test', { headers: { 'x-oauth-scopes': 'commands,chat:write' } });
    const result = await check();
    expect(result.status).toBe(1);
    expect(result.failed).toEqual(['✗ Slack scopes: the token lacks app_mentions:read, users:read']);
    expect(result.fixes.join('\n')).toContain('reinstall the app');
  });

  it('fails a missing channel, a private channel without the bot, and a public one without chat:write.public', async () => {
    slack.setDefault('auth.test', { headers: { 'x-oauth-scopes': DEFAULT_SCOPES.replace(',chat:write.public', '') } });
    slack.setChannel('CGONE00001', { exists: false });
    slack.setChannel('GPRIVATE01', { isPrivate: true, isMember: false });
    slack.setChannel('CPUBLIC002', { isMember: false, name: 'ops' });
    const result = await check({ DIGEST_CHANNELS: 'CGONE00001,GPRIVATE01,CPUBLIC002' });
    expect(result.status).toBe(1);
    expect(result.failed).toEqual([
      '✗ channel CGONE00001: not found',
      '✗ channel GPRIVATE01: not found',
      '✗ channel CPUBLIC002 (#ops): the bot is not a member and lacks chat:write.public (posting fails with not_in_channel)',
    ]);
    expect(result.fixes[0]).toMatch(/Channel ID.*\/invite @restorepoints/);
    expect(result.fixes[2]).toMatch(/\/invite @restorepoints.*chat:write\.public/);
  });

  it('says when a channel cannot be verified (missing_scope), without failing', async () => {
    slack.script('conversations.info', { body: { ok: false, error: 'missing_scope', needed: 'channels:read', provided: DEFAULT_SCOPES } });
    const result = await check({ DIGEST_CHANNELS: 'CNOSCOPE01' });
    expect(result.status, result.out).toBe(0);
    expect(result.out).toMatch(/^! channel CNOSCOPE01: cannot be looked up: the token lacks channels:read/m);
  });

  it('checks the app-level token in Socket Mode', async () => {
    slack.script('apps.connections.open', { body: { ok: false, error: 'invalid_auth' } });
    const result = await check({ SLACK_APP_TOKEN: 'xapp-1-check-test', SLACK_SIGNING_SECRET: undefined });
    expect(result.status).toBe(1);
    expect(result.failed).toEqual(['✗ Slack Socket Mode: SLACK_APP_TOKEN was refused (invalid_auth)']);
    expect(result.fixes.join('\n')).toContain('App-Level Tokens');
    const fine = await check({ SLACK_APP_TOKEN: 'xapp-1-check-test', SLACK_SIGNING_SECRET: undefined });
    expect(fine.status, fine.out).toBe(0);
    expect(fine.out).toMatch(/^✓ Slack Socket Mode: SLACK_APP_TOKEN is accepted/m);
  });

  it('checks the alert settings: channel IDs, each alert channel, and that the state file can be written (leaving none behind)', async () => {
    const named = await check({ ALERT_CHANNELS: 'alerts' });
    expect(named.status).toBe(2);
    expect(named.failed).toEqual(['✗ configuration: ALERT_CHANNELS: "alerts" is not a channel ID: use IDs like C0123ABCD (in Slack: channel name → About → Channel ID), not names.']);
    expect(named.out).toMatch(/^✓ appliance weu /m);

    slack.setChannel('CALERTS001', { isMember: true, name: 'alerts' });
    slack.setChannel('CGONE00002', { exists: false });
    const file = join(dir, 'check-state.db');
    const result = await check({ ALERT_CHANNELS: 'CALERTS001,CGONE00002', STATE_FILE: file });
    expect(result.out).toMatch(/^✓ configuration: .*, alerts to 2 channels$/m);
    expect(result.out).toMatch(/^✓ alert channel CALERTS001 \(#alerts\): the bot is a member and can post alerts$/m);
    expect(result.failed).toEqual(['✗ alert channel CGONE00002: not found']);
    expect(result.out).toContain(`✓ alert state: SQLite file ${file} can be read and written`);
    expect(existsSync(file)).toBe(false);
  });

  it('fails a state file that cannot be written, with the fix', async () => {
    await writeFile(join(dir, 'not-a-folder'), '');
    const result = await check({ ALERT_CHANNELS: 'CALERTS001', STATE_FILE: join(dir, 'not-a-folder', 'state.db') });
    expect(result.status).toBe(1);
    expect(result.failed).toEqual([expect.stringMatching(/^✗ alert state: could not open the alert state file .*not-a-folder\/state\.db \(STATE_FILE\): /)]);
    expect(result.fixes).toContainEqual(expect.stringMatching(/fix: check that the folder of .*state\.db exists and is writable by this user, or set STATE_FILE/));
  });

  it.skipIf(skipWithoutRedis('test/ops/check.test.ts'))('checks the alert state in Redis, and says when it is not checked because Redis does not answer', async () => {
    const redis = await startRedisServer();
    try {
      const result = await checkCommand(captureIo(env({ ALERT_CHANNELS: 'CALERTS001', REDIS_URL: redis.url })), { ...FAST, redisTimeoutMs: 2_000 });
      expect(result).toBe(0);
    } finally {
      await redis.stop();
    }
    const io = captureIo(env({ ALERT_CHANNELS: 'CALERTS001', REDIS_URL: redis.url }));
    expect(await checkCommand(io, { ...FAST, redisTimeoutMs: 500 })).toBe(1);
    expect(io.out()).toMatch(/^! alert state: not checked until Redis answers$/m);
  });
});
