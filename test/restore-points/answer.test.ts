/** What a query decides to show: no word is dropped silently, and a keyword never hides a workload. */
import { describe, expect, it } from 'vitest';
import { answerQuery } from '../../src/restore-points/answer.ts';
import { parseQuery } from '../../src/restore-points/query.ts';
import { DEFAULT_STALE_POLICY } from '../../src/restore-points/stale-policy.ts';
import { summarisePoints } from '../../src/restore-points/summarise.ts';
import type { Summary } from '../../src/restore-points/summary.ts';
import { restorePoint, vm } from '../support/points.ts';

const NOW = Date.parse('2026-11-26T08:00:00Z');
const HOUR = 3_600_000;
const times = { now: NOW, asOf: null };

function summaryWith(...workloads: Array<[name: string, agoHours: number]>): Summary {
  const points = workloads.map(([name, agoHours]) => restorePoint({ appliance: 'weu', workload: vm(name), pointInTime: NOW - agoHours * HOUR }));
  const appliance = summarisePoints(points, DEFAULT_STALE_POLICY, NOW, { name: 'weu', url: 'https://weu.example.com', apiVersion: 'v8.1', error: null, skipped: 0 });
  return { generatedAt: new Date(NOW).toISOString(), appliances: [appliance] };
}

const summary = summaryWith(['vm-web-01', 1], ['vm-web-02', 40], ['share-finance', 2]);
const answer = (text: string) => answerQuery(parseQuery(text), summary, times);

describe('answerQuery', () => {
  it('answers for the words that match and names the ones no workload contains', () => {
    const result = answer('vm-web-01 frobnicate blah');
    expect(result).toMatchObject({ kind: 'workloads', names: ['vm-web-01'], ignored: ['frobnicate', 'blah'] });
    expect(result.kind === 'workloads' && result.matches.map((m) => m.workload.name)).toEqual(['vm-web-01']);
  });

  it('`stale` with only unknown words still lists the known workloads', () => {
    expect(answer('stale frobnicate')).toMatchObject({ kind: 'not-found', what: 'workload', asked: 'frobnicate', known: ['share-finance', 'vm-web-01', 'vm-web-02'] });
    expect(answer('frobnicate')).toMatchObject({ kind: 'not-found', what: 'workload', known: ['share-finance', 'vm-web-01', 'vm-web-02'] });
  });

  it('`stale NAME` keeps answering which of the named workloads are stale', () => {
    const result = answer('stale vm-web');
    expect(result.kind === 'workloads' && result.matches.map((m) => m.workload.name)).toEqual(['vm-web-02']);
    expect(result).not.toHaveProperty('ignored');
  });

  it('reads `share` also as a name when a workload contains it, and says so', () => {
    const result = answer('share');
    expect(result).toMatchObject({ kind: 'workloads', names: ['share'], keywordsAsNames: ['share'] });
    expect(result.kind === 'workloads' && result.matches.map((m) => m.workload.name)).toEqual(['share-finance']);
    expect(parseQuery('share').share).toBe(true); // and the answer is still posted in the channel
  });

  it('keeps `share` a plain keyword when other words name the workloads, or no workload contains it', () => {
    expect(answer('vm-web-01 share')).toMatchObject({ kind: 'workloads', names: ['vm-web-01'] });
    expect(answer('vm-web-01 share')).not.toHaveProperty('keywordsAsNames');
    expect(answerQuery(parseQuery('share'), summaryWith(['vm-a', 1]), times)).toMatchObject({ kind: 'overview' });
  });
});
