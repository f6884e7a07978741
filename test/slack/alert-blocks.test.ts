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

  it('reads well for a failed session, a corrupted newest point and an unprotected VM: title, why, and the session button where there is one', () => {
    const failedWorkload = { kind: 'vm', id: 'vm-id-2', name: 'vm-sql-<02>' };
    const failed = kindRecord({ kind: 'failed-session', workload: failedWorkload, destination: null, reason: 'Error · Gold-VMs: Disk <!here> & busy', session: { id: 'abcdef12-0000-4000-8000-000000000009', status: 'Error' } });
    const root = renderAlertRoot(failed, NOW);
    expectWithinSlackLimits(root);
    const body = JSON.stringify(root);
    expect(body).toContain('*vm-sql-&lt;02&gt;: a backup session failed on weu*');
    expect(body).toContain('Error · Gold-VMs: Disk &lt;!here&gt; &amp; busy');
    expect(actionIds(root)).toEqual(['alert_acknowledge', 'alert_snooze:4h', 'alert_snooze:1d', 'open_session:0']);
    expect(root.text).not.toContain('<!here>');

    const warned = renderAlertRoot(kindRecord({ kind: 'failed-session', workload: failedWorkload, destination: null, reason: 'Warning: skipped a disk', session: { id: 's-1', status: 'Warning' } }), NOW);
    expect(JSON.stringify(warned)).toContain('a backup session ended with a warning on weu');

    const corrupted = renderAlertRoot(kindRecord({ kind: 'corrupted-newest', reason: 'Its newest Snapshot point (taken 2026-11-26T09:00:00.000Z) is corrupted; the newest usable one was taken 2026-11-25T09:00:00.000Z.', session: { id: 's-2', status: null } }), NOW);
    expectWithinSlackLimits(corrupted);
    expect(JSON.stringify(corrupted)).toContain("vm-a's newest point in Snapshot is corrupted on weu");
    expect(actionIds(corrupted)).toContain('open_session:0');

    const unprotected = renderAlertRoot(kindRecord({ kind: 'unprotected', destination: null, since: null, reason: 'The appliance knows this VM, but it has no restore point at all.', session: null }), NOW);
    expectWithinSlackLimits(unprotected);
    expect(JSON.stringify(unprotected)).toContain('vm-a has no restore point at all on weu');
    expect(actionIds(unprotected)).toEqual(['alert_acknowledge', 'alert_snooze:4h', 'alert_snooze:1d']);

    const resolved = renderAlertReply(kindRecord({ kind: 'unprotected', destination: null, session: null }, { resolvedAt: NOW }), { kind: 'resolved', reason: 'It now has a restore point.' }, NOW);
    expectWithinSlackLimits(resolved);
    expect(resolved.text).toContain('Resolved after 1h: It now has a restore point.');
  });

  it('keeps the baseline within the limits with hundreds of problems, and says how many more there are', () => {
    const kinds = ['stale', 'failed-session', 'unprotected', 'corrupted-newest', 'no-usable-point'] as const;
    const records = Array.from({ length: 600 }, (_, index) =>
      kindRecord({ kind: kinds[index % kinds.length]!, workload: { kind: 'vm', id: `id-${index}`, name: `${nasty}-${index}-${'n'.repeat(40)}` } }),
    );
    const message = renderBaseline(records, NOW);
    expectWithinSlackLimits(message);
    expect(message.text).toContain('600 problems were already there');
    const list = JSON.stringify(message.blocks);
    const shown = (list.match(/• /g) ?? []).length;
    expect(shown).toBeGreaterThan(5);
    expect(list).toContain(`…and ${600 - shown} more`);
    expect(list).not.toMatch(/<!channel>|<@U123>/);
  });
});

function kindRecord(fields: Partial<Problem>, extra: Partial<AlertRecord> = {}): AlertRecord {
  const base = record('vm-a').problem;
  const merged = { ...base, ...fields };
  return record('vm-a', { problem: { ...merged, key: problemKey(merged.appliance, merged.kind, merged.workload, merged.destination) }, ...extra });
}

function actionIds(message: { blocks: readonly unknown[] }): string[] {
  return (message.blocks as Array<{ type: string; elements?: Array<{ action_id: string }> }>).filter((block) => block.type === 'actions').flatMap((block) => block.elements ?? []).map((element) => element.action_id);
}
