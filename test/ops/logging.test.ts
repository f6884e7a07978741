/**
 * The logger's fences: token-shaped strings from libraries (Bolt, the Slack SDKs) are censored,
 * configured secret values are censored, errors are logged without what they carry (requests,
 * options, headers), and the terminal form is readable.
 */
import { LogLevel } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { createLogger, prettyLine, scrubSecrets, serializeError } from '../../src/log.ts';
import { boltLogger } from '../../src/slack/bolt-logger.ts';

function capture(options: Parameters<typeof createLogger>[0] = {}) {
  let output = '';
  const logger = createLogger({ level: 'debug', ...options, destination: { write: (chunk: string) => (output += chunk) } });
  return { logger, output: () => output };
}

describe('scrubSecrets', () => {
  it('censors what the Slack SDKs print at debug: payload tokens, Socket Mode tickets, tokens, bearer headers', () => {
    const socketMessage =
      'Received a message on the WebSocket: {"envelope_id":"e1","payload":{"token":"VERIFICATIONtoken123","command":"/restorepoints","response_url":"https://hooks.slack.com/commands/T/1/x"},"type":"slash_commands"}';
    expect(scrubSecrets(socketMessage)).not.toContain('VERIFICATIONtoken123');
    expect(scrubSecrets(socketMessage)).toContain('"command":"/restorepoints"');
    const opened = 'http request result: {"ok":true,"url":"wss://wss-primary.slack.com/link/?ticket=9f8e7d6c-TICKET&app_id=A0TEST"}';
    expect(scrubSecrets(opened)).toBe('http request result: {"ok":true,"url":"wss://wss-primary.slack.com/link/?ticket=[redacted]&app_id=A0TEST"}');
    expect(scrubSecrets('token xoxb-123-456-SECRETabc and xapp-1-A0-789-SECRETdef')).toBe('token xox-[redacted] and xapp-[redacted]');
    expect(scrubSecrets('Authorization: Bearer sim-access-SECRET.x_y')).toBe('Authorization: Bearer [redacted]');
    expect(scrubSecrets('redis://:SECRETpw@redis:6379/0')).toBe('redis://:[redacted]@redis:6379/0');
    expect(scrubSecrets('{"refresh_token":"SECRETrefresh","expires_in":3600}')).toBe('{"refresh_token":"[redacted]","expires_in":3600}');
  });

  it('censors given values, also as they appear JSON-escaped', () => {
    const secret = 'pa"ss\\word-SECRET';
    expect(scrubSecrets(`x ${secret} y`, [secret])).toBe('x [redacted] y');
    expect(scrubSecrets(JSON.stringify({ msg: `x ${secret} y` }), [secret])).toBe('{"msg":"x [redacted] y"}');
  });
});

describe('createLogger', () => {
  it('censors configured secrets and redacted keys at every level', () => {
    const { logger, output } = capture({ secrets: ['SECRETsigning0123456789', 'short', null] });
    logger.debug({ password: 'SECRETpassword', headers: { authorization: 'Bearer SECRETtoken' } }, 'login with SECRETsigning0123456789');
    logger.error({ config: { botToken: 'xoxb-SECRET' } }, 'failed');
    const text = output();
    expect(text).not.toMatch(/SECRET/);
    expect(text).toContain('login with [redacted]');
    // Values shorter than 6 characters are not censored by value (they would blank out words).
    logger.info('a short word');
    expect(output()).toContain('a short word');
  });

  it('logs an error with its message, code, kind and causes, but nothing it carries', () => {
    const { logger, output } = capture();
    const inner = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' });
    const kyLike = Object.assign(new Error('Request failed with status code 401 Unauthorized: POST https://vba/api/oauth2/token'), {
      name: 'HTTPError',
      request: { headers: { authorization: 'Bearer SECRETaccess' } },
      options: { headers: { authorization: 'Bearer SECRETaccess' }, body: 'grant_type=Password&password=SECRETpw' },
      response: { status: 401 },
      cause: inner,
    });
    const veeamLike = Object.assign(new Error('vba refused the session'), { name: 'VeeamError', kind: 'credentials', status: 401, cause: kyLike });
    logger.error({ err: veeamLike }, 'could not read');
    const line = JSON.parse(output()) as { err: ReturnType<typeof serializeError> };
    expect(output()).not.toMatch(/SECRET/);
    expect(line.err).toMatchObject({
      type: 'VeeamError',
      message: 'vba refused the session',
      kind: 'credentials',
      status: 401,
      cause: { type: 'HTTPError', cause: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:443' } },
    });
  });

  it('keeps a Slack error’s code and the scope it needed', () => {
    const slackError = Object.assign(new Error('An API error occurred: missing_scope'), {
      code: 'slack_webapi_platform_error',
      data: { ok: false, error: 'missing_scope', needed: 'channels:read', response_metadata: { scopes: ['chat:write'] } },
    });
    expect(serializeError(slackError)).toMatchObject({ code: 'slack_webapi_platform_error', slackError: 'missing_scope', needed: 'channels:read' });
  });

  it('prints a short readable line on a terminal', () => {
    const { logger, output } = capture({ format: 'pretty' });
    logger.child({ component: 'bolt' }).warn({ appliance: 'weu', reason: 'Cannot reach vba: refused' }, 'could not read the appliance');
    expect(output()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN  \[bolt\] could not read the appliance {2}appliance=weu reason="Cannot reach vba: refused"\n$/);
    const error = prettyLine(JSON.stringify({ level: 'error', time: '2026-11-26T08:00:00.000Z', msg: 'failed', err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at here' } }));
    expect(error).toBe('08:00:00.000 ERROR failed\n    Error: boom\n    at here\n');
  });
});

describe('the Bolt logger bridge', () => {
  it('sends Bolt and the Slack SDKs through the app’s logger, censored, with errors intact', () => {
    const { logger, output } = capture();
    const bolt = boltLogger(logger);
    bolt.debug('http request result:', '{"ok":true,"url":"wss://wss-primary.slack.com/link/?ticket=SECRETticket&app_id=A1"}');
    bolt.error('An API error occurred', Object.assign(new Error('invalid_auth'), { code: 'slack_webapi_platform_error' }));
    const lines = output().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(output()).not.toContain('SECRETticket');
    expect(lines[0]).toMatchObject({ level: 'debug', component: 'bolt' });
    expect(lines[1]).toMatchObject({ level: 'error', msg: 'An API error occurred', err: { message: 'invalid_auth', code: 'slack_webapi_platform_error' } });
    expect(bolt.getLevel()).toBe(LogLevel.DEBUG);
  });
});
