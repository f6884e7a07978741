/** `summary --json` written a workload at a time is the same document, byte for byte. */
import { describe, expect, it } from 'vitest';
import { writeSummaryJson } from '../../src/commands/summary.ts';
import type { RestorePoint } from '../../src/restore-points/model.ts';
import { DEFAULT_STALE_POLICY } from '../../src/restore-points/stale-policy.ts';
import { summarisePoints } from '../../src/restore-points/summarise.ts';
import { toSummaryJson, type Summary } from '../../src/restore-points/summary.ts';

const NOW = Date.parse('2026-11-26T08:00:00Z');
const DESTINATIONS = ['Snapshot', 'AzureBlob', 'ManualSnapshot'];

function points(count: number, workloads: number): RestorePoint[] {
  return Array.from({ length: count }, (_, index) => ({
    appliance: 'weu',
    id: `p-${index}`,
    workload: { kind: index % 5 === 0 ? 'sql' : 'vm', name: `w-"${index % workloads}"\n` },
    pointInTime: NOW - (index + 1) * 600_000,
    sizeBytes: index % 7 === 0 ? null : 1000 + index,
    destination: DESTINATIONS[index % 3]!,
    type: index % 2 ? 'Full' : null,
    corrupted: index % 11 === 0,
    immutableUntil: null,
    jobSessionId: index % 4 ? `s-${index}` : null,
  }));
}

function written(summary: Summary): string {
  const chunks: string[] = [];
  writeSummaryJson(summary, (chunk) => chunks.push(chunk));
  return chunks.join('');
}

describe('writeSummaryJson', () => {
  it.each([
    ['no appliances', [] as Array<[number, number]>],
    ['one appliance without points', [[0, 1]] as Array<[number, number]>],
    ['several appliances, many workloads', [[500, 120], [0, 1], [40_000, 9_000]] as Array<[number, number]>],
  ])('writes what JSON.stringify would: %s', (_name, shapes) => {
    const summary: Summary = {
      generatedAt: new Date(NOW).toISOString(),
      appliances: shapes.map(([count, workloads], index) =>
        summarisePoints(points(count, workloads), DEFAULT_STALE_POLICY, NOW, {
          name: `appliance-${index}`,
          url: `https://a${index}.example.com`,
          apiVersion: index === 1 ? null : 'v8.1',
          error: index === 1 ? 'The read of appliance-1 is incomplete: "x".' : null,
          skipped: index,
        }),
      ),
    };
    expect(written(summary)).toBe(`${JSON.stringify(toSummaryJson(summary), null, 2)}\n`);
  });

  it('leaves the recent points out without making them', () => {
    const summary: Summary = { generatedAt: new Date(NOW).toISOString(), appliances: [summarisePoints(points(30, 3), DEFAULT_STALE_POLICY, NOW)] };
    expect(written(summary)).not.toContain('"recent"');
    expect(summary.appliances[0]!.workloads[0]!.recent.length).toBeGreaterThan(0);
  });
});
