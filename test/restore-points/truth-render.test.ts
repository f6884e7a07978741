/**
 * Issue 13 on the terminal and in Slack, pure: unknowns are never stated as facts, counts agree
 * everywhere, archive-tier points and failures are labelled, and every message stays in limits.
 */
import { describe, expect, it } from 'vitest';
import { answerQuery } from '../../src/restore-points/answer.ts';
import { parseQuery } from '../../src/restore-points/query.ts';
import { DEFAULT_STALE_POLICY } from '../../src/restore-points/stale-policy.ts';
import { renderAnswer } from '../../src/slack/blocks/answer.ts';
import { renderAnswerText } from '../../src/terminal/answer-text.ts';
import { summarisePoints, type ApplianceFacts } from '../../src/restore-points/summarise.ts';
import type { Summary } from '../../src/restore-points/summary.ts';
import { verdictOf } from '../../src/restore-points/verdict.ts';
import { renderOverview } from '../../src/slack/blocks/overview.ts';
import { renderDigestText } from '../../src/terminal/digest-text.ts';
import { renderSummaryTable } from '../../src/terminal/summary-table.ts';
import { inventoryVm, restorePoint, sessionFailure, vm } from '../support/points.ts';
import { expectWithinSlackLimits } from '../support/slack-limits.ts';

const NOW = Date.parse('2026-11-26T08:00:00Z');
const HOUR = 3_600_000;
const facts = (more: Partial<ApplianceFacts> = {}): ApplianceFacts => ({ name: 'weu', url: 'https://weu', apiVersion: 'v8.1', error: null, skipped: 0, ...more });
const summaryOf = (...appliances: Summary['appliances']): Summary => ({ generatedAt: new Date(NOW).toISOString(), appliances });
const times = { now: NOW, asOf: null };

describe('unknowns are not facts', () => {
  const down = summarisePoints([], DEFAULT_STALE_POLICY, NOW, facts({ name: 'eastus', apiVersion: null, error: 'Cannot reach eastus: the connection was refused.' }));

  it('the table of an appliance that could not be read states no count, size or NONE', () => {
    const text = renderSummaryTable(summaryOf(down), 'UTC');
    expect(text).toContain('could not be read');
    expect(text).toContain('Cannot reach eastus');
    expect(text).not.toMatch(/0 restore points|0 B|NONE|no usable restore point/);
  });

  it('the digest does not call its destinations stale', () => {
    expect(renderDigestText(summaryOf(down), 'UTC')).not.toMatch(/Snapshot.*no usable restore point|Stale:/);
  });

  it('"size unknown" when no point had a size, not 0 B', () => {
    const summary = summaryOf(summarisePoints([restorePoint({ sizeBytes: null, pointInTime: NOW - HOUR })], DEFAULT_STALE_POLICY, NOW, facts()));
    expect(renderSummaryTable(summary, 'UTC')).toMatch(/1 restore point · size unknown/);
    expect(verdictOf(summary).line).toMatch(/size unknown$/);
    expect(verdictOf(summary).line).not.toMatch(/0 B/);
  });
});

describe('one definition, one count', () => {
  const points = [
    restorePoint({ workload: vm('vm-old'), pointInTime: NOW - 40 * HOUR }),
    restorePoint({ workload: vm('vm-ok'), pointInTime: NOW - HOUR }),
    restorePoint({ workload: vm('vm-bad'), pointInTime: NOW - 2 * HOUR }),
    restorePoint({ workload: vm('vm-bad'), pointInTime: NOW - HOUR, corrupted: true }),
  ];
  const failure = sessionFailure({ startedAt: NOW - 3 * HOUR, workloads: [{ id: null, name: 'vm-old' }] });
  const inventory = [inventoryVm('vm-old'), inventoryVm('vm-ok'), inventoryVm('vm-bad'), inventoryVm('vm-new-07')];
  const summary = summaryOf(summarisePoints(points, DEFAULT_STALE_POLICY, NOW, facts({ failures: [failure], inventory })));

  it('the verdict leads with coverage and counts as the appliance line does', () => {
    const verdict = verdictOf(summary);
    expect(verdict.line).toMatch(/^⚠️ 3 of 4 VMs protected · 1 stale destination · 1 stale workload · 1 corrupted newest point · /);
    const message = renderOverview(summary, { title: 'Restore points', staleOnly: false, times });
    expectWithinSlackLimits(message);
    const flat = JSON.stringify(message);
    expect(flat).toContain('*weu* · ⚠️ 1 stale destination · 1 stale workload · 1 corrupted newest point · 1 unprotected');
    expect(flat).toContain('*Not protected*');
    expect(flat).toMatch(/`vm-old`: Snapshot 1d 16h — ❌ \*Error\* · Gold-VMs/);
    expect(flat).toMatch(/❌ `vm-bad`: newest point corrupted/);
    expect(flat).not.toMatch(/✅ \*Snapshot\*/);
  });

  it('failures are said as DESIGN says them: failed or warned within FAILURE_WINDOW, each workload counted once', () => {
    const fresh = ['vm-a', 'vm-b', 'vm-c', 'vm-d'].map((name) => restorePoint({ workload: vm(name), pointInTime: NOW - 8 * HOUR }));
    const failures = [
      sessionFailure({ startedAt: NOW - 2 * HOUR, workloads: [{ id: null, name: 'vm-a' }, { id: null, name: 'vm-old' }] }),
      sessionFailure({ startedAt: NOW - 3 * HOUR, status: 'Warning', workloads: [{ id: null, name: 'vm-b' }] }),
      // Failed before the newest point: a later run succeeded, so nothing is failing now.
      sessionFailure({ startedAt: NOW - 9 * HOUR, workloads: [{ id: null, name: 'vm-c' }] }),
    ];
    const appliance = summarisePoints(
      [...fresh, restorePoint({ workload: vm('vm-old'), pointInTime: NOW - 40 * HOUR })],
      DEFAULT_STALE_POLICY,
      NOW,
      facts({ failures, failureWindowMs: 48 * HOUR }),
    );
    const verdict = verdictOf(summaryOf(appliance));
    expect(verdict).toMatchObject({ staleWorkloads: 1, failed: 1, warned: 1, corrupted: 0 });
    expect(verdict.line).toMatch(/^⚠️ 1 stale destination · 1 stale workload · 1 failed · 1 warned in the last 48h · /);
    const flat = JSON.stringify(renderOverview(summaryOf(appliance), { title: 'Restore points', staleOnly: false, times }));
    expect(flat).toContain('*weu* · ⚠️ 1 stale destination · 1 stale workload · 1 failed · 1 warned in the last 48h');
    const oneFailure = verdictOf(summaryOf(summarisePoints(fresh, DEFAULT_STALE_POLICY, NOW, facts({ failures: failures.slice(0, 1) }))));
    expect(oneFailure).toMatchObject({ failed: 1, warned: 0 });
    expect(oneFailure.line).toMatch(/ · 1 failed in the last 24h · /);
  });

  it('the table\'s Status is the destination\'s own state; stale workloads have their own column; Age is an age', () => {
    const text = renderSummaryTable(summary, 'UTC');
    expect(text).toMatch(/Destination +Status +Age +Latest \(UTC\) +Size +Points +Stale workloads/);
    expect(text).toMatch(/Snapshot +NEWER CORRUPTED +1h +2026-11-26 07:00/);
    expect(summary.appliances[0]!.destinations.find((d) => d.destination === 'Snapshot')!.stale).toBe(false);
    expect(text).toMatch(/Not protected \(1\): vm-new-07/);
  });

  it('labels archive-tier points where they are offered', () => {
    const archived = summaryOf(summarisePoints([restorePoint({ destination: 'AzureBlob', accessTier: 'Archive', pointInTime: NOW - HOUR })], DEFAULT_STALE_POLICY, NOW, facts()));
    expect(JSON.stringify(renderOverview(archived, { title: 'x', staleOnly: false, times }))).toContain('archive tier: retrieve before restoring');
    expect(renderSummaryTable(archived, 'UTC')).toContain('(archive tier)');
  });
});

describe('the query words unprotected and failed', () => {
  const many = Array.from({ length: 2000 }, (_, index) => inventoryVm(`vm-idle-${String(index).padStart(4, '0')}`, { resourceGroup: `rg-<${index}>` }));
  const failures = Array.from({ length: 50 }, (_, index) =>
    sessionFailure({ startedAt: NOW - index * 60_000, message: `disk <locked> & ${'x'.repeat(900)}`, workloads: [{ id: null, name: `vm-${index}` }, { id: null, name: 'vm-shared' }] }),
  );
  const summary = summaryOf(summarisePoints([restorePoint({ workload: vm('vm-1'), pointInTime: NOW - HOUR })], DEFAULT_STALE_POLICY, NOW, facts({ inventory: many, failures })));

  it('parse into their own answers, scoped by appliance, and failed NAME narrows', () => {
    expect(answerQuery(parseQuery('unprotected'), summary, times).kind).toBe('unprotected');
    const failed = answerQuery(parseQuery('failed vm-4'), summary, times);
    expect(failed.kind).toBe('failed');
    const text = renderAnswerText(failed, 'UTC');
    expect(text).toMatch(/11 sessions failed or warned/); // vm-4, vm-40…vm-49
    expect(renderAnswerText(answerQuery(parseQuery('unprotected'), summary, times), 'UTC')).toMatch(/weu: 0 of 2,000 VMs protected\n {2}UNPROTECTED vm-idle-0000 \(rg-<0> · Production\)/);
  });

  it('stay within Slack\'s limits with thousands of VMs and fifty long failures, escaping outside text', () => {
    for (const words of ['unprotected', 'failed', 'failed vm-shared']) {
      const message = renderAnswer(answerQuery(parseQuery(words), summary, times));
      expectWithinSlackLimits(message);
      expect(JSON.stringify(message)).not.toMatch(/<locked>|rg-<\d/);
      expect(JSON.stringify(message)).toMatch(/and \d+ more/);
    }
  });

  it('say plainly when there is no inventory or nothing failed', () => {
    const plain = summaryOf(summarisePoints([restorePoint()], DEFAULT_STALE_POLICY, NOW, facts()));
    expect(JSON.stringify(renderAnswer(answerQuery(parseQuery('unprotected'), plain, times)))).toContain('has no VM inventory');
    expect(JSON.stringify(renderAnswer(answerQuery(parseQuery('failed'), plain, times)))).toContain('no session failed or warned');
  });
});
