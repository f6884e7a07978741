/** Alert messages stay within Slack's limits whatever they carry, and never let outside text ping anyone. */
import { describe, expect, it } from 'vitest';
import { problemKey, type Problem } from '../../src/alerts/problems.ts';
import type { AlertRecord } from '../../src/alerts/transitions.ts';
import { parseAlertAction, renderAlertReply, renderAlertRoot, renderBaseline } from '../../src/slack/blocks/alerts.ts';
import { renderDigest } from '../../src/slack/blocks/digest.ts';
import { expectWithinSlackLimits } from '../support/slack-limits.ts';

const NOW = Date.parse('2026-11-26T10:00:00Z');
const nasty = '<!channel> & <@U123> vm';

function record(name: string, extra: Partial<AlertRecord> = {}, reason = 'old <!here>'): AlertRecord {
  const workload = { kind: 'vm', id: null, name };
  const problem: Problem = { key: problemKey('weu', 'stale', workload, 'Snapshot'), kind: 'stale', appliance: 'weu', workload, destination: 'Snapshot', since: NOW - 3_600_000, reason, state: 's', session: { id: 'abcdef12-0000-4000-8000-000000000001', status: null } };
  return { problem, openedAt: NOW - 3_600_000, resolvedAt: null, baseline: false, roots: {}, acknowledged: null, snoozed: null, ...extra };
}

describe('alert messages', () => {
  it('escape names, reasons and user names, and keep to the limits', () => {
    const who = { id: 'U1', name: '<!everyone>' };
    const messages = [
      renderAlertRoot(record(nasty), NOW),
      renderAlertRoot(record(nasty, { acknowledged: { by: who, at: NOW }, snoozed: { by: who, until: NOW + 3_600_000, at: NOW } }), NOW),
      renderAlertRoot(record(nasty, { resolvedAt: NOW }), NOW),
      renderAlertRoot(record('x'.repeat(5000), {}, 'y'.repeat(20_000)), NOW),
      renderAlertReply(record(nasty), { kind: 'changed', reason: nasty }, NOW),
      renderAlertReply(record(nasty, { resolvedAt: NOW }), { kind: 'resolved', reason: nasty }, NOW),
      renderAlertReply(record(nasty), { kind: 'snooze-ended' }, NOW),
      renderBaseline(Array.from({ length: 2000 }, (_, index) => record(`${nasty}-${index}`)), NOW),
      renderDigest({ generatedAt: new Date(NOW).toISOString(), appliances: [] }, NOW, 'UTC', [{ appliance: 'weu', what: nasty, by: '<!channel>', until: NOW }]),
    ];
    for (const message of messages) expectWithinSlackLimits(message);
    expect(JSON.stringify(messages[0])).toContain('&lt;!channel&gt; &amp; &lt;@U123&gt; vm');
    expect(JSON.stringify(messages[1])).toContain('Acknowledged by &lt;!everyone&gt;');
    expect(JSON.stringify(messages[7])).toContain('more');
  });

  it('shows who acknowledged and snoozed, and that a resolved problem lasted', () => {
    const who = { id: 'U1', name: 'alice' };
    const acknowledged = JSON.stringify(renderAlertRoot(record('vm-a', { acknowledged: { by: who, at: NOW } }), NOW));
    expect(acknowledged).toContain('Acknowledged by alice');
    expect(acknowledged).not.toContain('alert_acknowledge');
    const resolved = renderAlertRoot(record('vm-a', { resolvedAt: NOW }), NOW);
    expect(resolved.text).toContain('lasted 1h');
    expect(resolved.blocks.some((block) => block.type === 'actions')).toBe(false);
  });

  it('reads its buttons back', () => {
    expect(parseAlertAction('alert_acknowledge')).toEqual({ action: 'acknowledge' });
    expect(parseAlertAction('alert_snooze:4h')).toEqual({ action: 'snooze', ms: 4 * 3_600_000 });
    expect(parseAlertAction('alert_snooze:1d')).toEqual({ action: 'snooze', ms: 24 * 3_600_000 });
    expect(parseAlertAction('alert_snooze:99y')).toBeNull();
  });
});
