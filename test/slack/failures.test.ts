/** Slack failures: one table of fixes, for check, the digest and the listeners. */
import { describe, expect, it } from 'vitest';
import { slackFailure, slackFix } from '../../src/slack/failures.ts';

const platformError = (error: string, needed?: string) =>
  Object.assign(new Error(`An API error occurred: ${error}`), { code: 'slack_webapi_platform_error', data: { ok: false, error, ...(needed ? { needed } : {}) } });

describe('slackFailure', () => {
  it("reads Slack's code, the scope needed, a rate limit's Retry-After and an unreachable Web API", () => {
    expect(slackFailure(platformError('missing_scope', 'channels:read'))).toMatchObject({ code: 'missing_scope', needed: 'channels:read' });
    expect(slackFailure(Object.assign(new Error('rate limited'), { code: 'slack_webapi_rate_limited_error', retryAfter: 3 }))).toMatchObject({
      code: 'ratelimited',
      retryAfterSeconds: 3,
    });
    expect(slackFailure(Object.assign(new Error('ECONNREFUSED'), { code: 'slack_webapi_request_error' })).code).toBe('unreachable');
  });
});

describe('slackFix', () => {
  it('gives the same sentence wherever the failure is met', () => {
    const notFound = slackFix(slackFailure(platformError('channel_not_found')));
    expect(notFound).toMatch(/DIGEST_CHANNELS .*Channel ID.*\/invite @restorepoints/);
    expect(slackFix(slackFailure(platformError('not_in_channel')))).toMatch(/\/invite @restorepoints.*chat:write\.public/);
  });

  it('names the token that was refused, and what happens after a rate limit', () => {
    expect(slackFix(slackFailure(platformError('invalid_auth')), { variable: 'SLACK_BOT_TOKEN' })).toMatch(/copy the Bot User OAuth Token \(xoxb-…\) again/);
    expect(slackFix(slackFailure(platformError('invalid_auth')), { variable: 'SLACK_APP_TOKEN' })).toMatch(/App-Level Tokens/);
    expect(slackFix({ code: 'ratelimited', needed: null, message: '' }, { afterRateLimit: 'the digest will go out at the next schedule' })).toBe(
      'Slack kept rate-limiting the bot: the digest will go out at the next schedule',
    );
    expect(slackFix(slackFailure(platformError('missing_scope', 'chat:write')))).toMatch(/lacks the scope chat:write/);
  });

  it('repeats what Slack said for a code it does not know', () => {
    expect(slackFix(slackFailure(platformError('team_added_to_org')))).toBe('Slack answered team_added_to_org (An API error occurred: team_added_to_org)');
  });
});
