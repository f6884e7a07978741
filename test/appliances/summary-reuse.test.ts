/** A reading is summarised once per SUMMARY_REUSE_MS of questions, not once per question. */
import { describe, expect, it } from 'vitest';
import { summariseReading, SUMMARY_REUSE_MS, type ApplianceReading } from '../../src/appliances/reader.ts';
import { FLEET_PARALLELISM, type Fleet } from '../../src/appliances/fleet.ts';
import { ask } from '../../src/appliances/ask.ts';
import { DEFAULT_STALE_POLICY } from '../../src/restore-points/stale-policy.ts';
import { PointTally } from '../../src/restore-points/tally.ts';

const NOW = Date.parse('2026-11-26T08:00:00Z');

function reading(): ApplianceReading {
  const tally = new PointTally();
  tally.add({
    appliance: 'weu',
    id: 'p-1',
    workload: { kind: 'vm', name: 'vm-1' },
    pointInTime: NOW - 3_600_000,
    sizeBytes: 1,
    destination: 'Snapshot',
    type: 'Full',
    corrupted: false,
    immutableUntil: null,
    jobSessionId: null,
  });
  return { name: 'weu', url: 'https://weu.example.com', policy: DEFAULT_STALE_POLICY, apiVersion: 'v8.1', error: null, skipped: 0, tally, inventory: null, failures: null, notes: [], readAt: NOW, durationMs: 1 };
}

describe('summariseReading', () => {
  it('reuses the summary of a reading for questions within SUMMARY_REUSE_MS', () => {
    const one = reading();
    const first = summariseReading(one, NOW);
    expect(summariseReading(one, NOW)).toBe(first);
    expect(summariseReading(one, NOW + SUMMARY_REUSE_MS - 1)).toBe(first);
  });

  it('summarises again SUMMARY_REUSE_MS later, or for an earlier instant, or for another reading', () => {
    const one = reading();
    const first = summariseReading(one, NOW);
    const later = summariseReading(one, NOW + SUMMARY_REUSE_MS);
    expect(later).not.toBe(first);
    expect(later.workloads[0]!.destinations['Snapshot']!.latest!.ageSeconds).toBe(3600 + SUMMARY_REUSE_MS / 1000);
    expect(summariseReading(one, NOW - 1)).not.toBe(later);
    expect(summariseReading(reading(), NOW - 1)).not.toBe(summariseReading(one, NOW - 1));
  });

  it('reads 50 appliances at once, not 8 at a time', () => {
    expect(FLEET_PARALLELISM).toBeGreaterThanOrEqual(50);
  });
});

describe('ask', () => {
  it('shares one answer between askers of the same question within SUMMARY_REUSE_MS', async () => {
    const one = reading();
    const fleet = { readAll: async () => [one] } as unknown as Fleet;
    const clock = { now: NOW };
    const context = { fleet, now: () => clock.now, timeZone: async () => 'UTC' };
    const first = await ask('vm-1', context);
    expect((await ask('vm-1 share', context)).answer).toBe(first.answer);
    expect((await ask('stale', context)).answer).not.toBe(first.answer);
    clock.now = NOW + SUMMARY_REUSE_MS;
    const later = await ask('vm-1', context);
    expect(later.answer).not.toBe(first.answer);
    expect(later.answer).toEqual(expect.objectContaining({ kind: 'workloads' }));
  });
});
