/** `restorepoints query` as text: instants in TZ, the time `before` was read as, and every word accounted for. */
import { describe, expect, it } from 'vitest';
import { answerQuery } from '../../src/restore-points/answer.ts';
import { parseQuery } from '../../src/restore-points/query.ts';
import { resolveTime } from '../../src/restore-points/query-time.ts';
import { DEFAULT_STALE_POLICY } from '../../src/restore-points/stale-policy.ts';
import { summarisePoints } from '../../src/restore-points/summarise.ts';
import type { Summary } from '../../src/restore-points/summary.ts';
import { renderAnswerText } from '../../src/terminal/answer-text.ts';
import { restorePoint, vm } from '../support/points.ts';

const NOW = Date.parse('2026-11-29T12:00:00Z');
const POINT = Date.parse('2026-11-29T02:07:11.528Z');

function summary(names: readonly string[]): Summary {
  const points = names.map((name) => restorePoint({ appliance: 'weu', workload: vm(name), pointInTime: POINT }));
  return {
    generatedAt: new Date(NOW).toISOString(),
    appliances: [summarisePoints(points, DEFAULT_STALE_POLICY, NOW, { name: 'weu', url: 'https://weu.example.com', apiVersion: 'v8.1', error: null, skipped: 0 })],
  };
}

function text(words: string, zone: string, names: readonly string[] = ['vm-erp-01']): string {
  const query = parseQuery(words);
  const asOf = query.before === null ? null : resolveTime(query.before, NOW, zone);
  return renderAnswerText(answerQuery(query, summary(names), { now: NOW, asOf }), zone);
}

describe('renderAnswerText', () => {
  it('shows instants in the zone given (TZ), as summary does, never as UTC ISO', () => {
    const amsterdam = text('vm-erp', 'Europe/Amsterdam');
    expect(amsterdam).toContain('2026-11-29 03:07');
    expect(amsterdam).toContain('Times in Europe/Amsterdam.');
    expect(amsterdam).not.toContain('2026-11-29T02:07:11.528Z');
    expect(text('vm-erp', 'America/New_York')).toContain('2026-11-28 21:07');
  });

  it('says which instant `before 09:30` was read as, with its zone', () => {
    expect(text('vm-erp before 09:30', 'Europe/Amsterdam')).toContain('Before 2026-11-29 09:30:00 +01:00 (Europe/Amsterdam)');
    expect(text('before 09:30', 'UTC')).toMatch(/^Before 2026-11-29 09:30:00 \+00:00 \(UTC\)/);
  });

  it('gets the grammar right: 1 workload matches, 2 workloads match', () => {
    expect(text('vm-erp', 'UTC')).toMatch(/^1 workload matches vm-erp$/m);
    expect(text('vm-erp', 'UTC', ['vm-erp-01', 'vm-erp-02'])).toMatch(/^2 workloads match vm-erp$/m);
  });

  it('names the words it ignored, with the words it knows; and how a keyword was read', () => {
    const ignored = text('vm-erp frobnicate blah', 'UTC');
    expect(ignored).toContain('Ignored: "frobnicate", "blah": no workload name contains them. Known words: help, stale, share');
    expect(text('share', 'UTC', ['share-finance'])).toContain('"share" was read two ways: as the keyword and as part of a workload name.');
    expect(text('stale frobnicate', 'UTC')).toBe('No workload called "frobnicate". Known: vm-erp-01');
  });
});
