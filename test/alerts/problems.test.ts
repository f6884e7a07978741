/** problemsOf: the problems a summary shows, each with a key that stays the same from watch to watch. */
import { describe, expect, it } from 'vitest';
import { problemKey, problemsOf, problemTitle, resolutionOf, workloadKey } from '../../src/alerts/problems.ts';
import type { ApplianceSummary, Summary, WorkloadDestination, WorkloadSummary } from '../../src/restore-points/summary.ts';

const NOW = Date.parse('2026-11-26T10:00:00Z');
const point = (id: string, hoursOld: number) => ({ id, pointInTime: new Date(NOW - hoursOld * 3_600_000).toISOString(), ageSeconds: hoursOld * 3600, sizeBytes: 1, jobSessionId: `session-${id}`, workload: null });

type Where = Omit<WorkloadDestination, 'newest' | 'trouble'> & Partial<Pick<WorkloadDestination, 'newest' | 'trouble'>>;
function workload(name: string, destinations: Record<string, Where>, extra: Partial<WorkloadSummary> = {}): WorkloadSummary {
  const complete = Object.fromEntries(
    Object.entries(destinations).map(([destination, where]) => [destination, { newest: where.latest && { ...where.latest, corrupted: false }, trouble: null, ...where }]),
  );
  return { kind: 'vm', id: null, name, label: null, stale: Object.values(destinations).some((d) => d.stale), trouble: null, lastFailure: null, destinations: complete, recent: [], ...extra };
}
function appliance(workloads: WorkloadSummary[], error: string | null = null, extra: Partial<ApplianceSummary> = {}): ApplianceSummary {
  return {
    coverage: null,
    failures: [],
    notes: [],
    ...extra,
    name: 'weu', url: 'https://weu', apiVersion: 'v8.1', error, warning: null, restorePoints: 3, corrupted: 0, skipped: 0, totalBytes: 3,
    destinations: [{ destination: 'Snapshot', restorePoints: 3, totalBytes: 3, latest: null, staleAfter: '26h', staleAfterSeconds: 26 * 3600, stale: false, staleWorkloads: 0, trouble: null, troubledWorkloads: 0 }],
    workloads,
  };
}
const summaryOf = (...appliances: ApplianceSummary[]): Summary => ({ generatedAt: new Date(NOW).toISOString(), appliances });

describe('problemsOf', () => {
  const fresh = workload('vm-fresh', { Snapshot: { restorePoints: 1, latest: point('p1', 2), stale: false } });
  const old = workload('vm-old', { Snapshot: { restorePoints: 1, latest: point('p2', 30), stale: true } });
  const broken = workload('vm-broken', { Snapshot: { restorePoints: 2, latest: null, stale: true } });

  it('finds each stale workload per destination, and a destination with no usable point', () => {
    const { problems, held } = problemsOf(summaryOf(appliance([fresh, old, broken])), NOW);
    expect(held).toEqual([]);
    expect(problems.map((p) => [p.kind, p.workload?.name, p.destination])).toEqual([
      ['stale', 'vm-old', 'Snapshot'],
      ['no-usable-point', 'vm-broken', 'Snapshot'],
    ]);
    expect(problems[0]!.since).toBe(NOW - 30 * 3_600_000 + 26 * 3_600_000);
    expect(problems[0]!.session).toEqual({ id: 'session-p2', status: null });
  });

  it('gives an unreadable appliance one problem and holds the rest of it', () => {
    const { problems, held } = problemsOf(summaryOf(appliance([old], 'weu did not answer within 12 s')), NOW);
    expect(held).toEqual(['weu']);
    expect(problems.map((p) => p.kind)).toEqual(['unreadable']);
    expect(problems[0]!.state).toBe(problemsOf(summaryOf(appliance([], 'weu did not answer within 30 s')), NOW).problems[0]!.state);
  });

  it('keys a workload by its id when it has one, else by kind and name', () => {
    expect(workloadKey({ kind: 'vm', name: 'a', id: 'vm-id-1' })).toBe('vm-id-1');
    expect(workloadKey({ kind: 'vm', name: 'a' })).toBe('vm:a');
    const withId = { ...old, id: 'abc' };
    const [twin] = problemsOf(summaryOf(appliance([withId])), NOW).problems;
    expect(twin!.key).toBe(problemKey('weu', 'stale', { kind: 'vm', id: 'abc', name: 'vm-old' }, 'Snapshot'));
    expect(twin!.key).not.toBe(problemsOf(summaryOf(appliance([old])), NOW).problems[0]!.key);
  });

  it('keeps a key the same from one summary to the next', () => {
    const a = problemsOf(summaryOf(appliance([old])), NOW).problems[0]!;
    const b = problemsOf(summaryOf(appliance([old])), NOW + 600_000).problems[0]!;
    expect(a.key).toBe(b.key);
    expect(a.state).toBe(b.state);
  });

  it('titles every kind and says what resolved a problem', () => {
    const stale = problemsOf(summaryOf(appliance([old])), NOW).problems[0]!;
    expect(problemTitle(stale)).toBe('vm-old is stale in Snapshot on weu');
    for (const kind of ['unreadable', 'no-usable-point', 'corrupted-newest', 'failed-session', 'unprotected'] as const) expect(problemTitle({ ...stale, kind })).toContain('weu');
    expect(resolutionOf(stale, summaryOf(appliance([fresh])))).toContain('no longer has restore points');
    const renewed = workload('vm-old', { Snapshot: { restorePoints: 2, latest: point('p3', 1), stale: false } });
    expect(resolutionOf(stale, summaryOf(appliance([renewed])))).toContain('is now the latest');
  });

  it('says when the newest point is corrupted, even while a usable one is fresh', () => {
    const bad = workload('vm-bad', { Snapshot: { restorePoints: 2, latest: point('ok', 3), newest: { ...point('bad', 1), corrupted: true }, stale: false } });
    const [found] = problemsOf(summaryOf(appliance([bad])), NOW).problems;
    expect([found!.kind, found!.destination, found!.state, found!.session]).toEqual(['corrupted-newest', 'Snapshot', 'newest:bad', { id: 'session-bad', status: null }]);
    const mended = workload('vm-bad', { Snapshot: { restorePoints: 3, latest: point('new', 0.5), stale: false } });
    expect(resolutionOf(found!, summaryOf(appliance([mended])))).toContain('is now the newest');
  });

  it('raises a failed session only while nothing has succeeded since, with its reason and session', () => {
    const lastFailure = { sessionId: 's-9', status: 'Error', startedAt: new Date(NOW - 3_600_000).toISOString(), message: 'Disk <!here> busy', policy: 'Gold-VMs' };
    const failing = workload('vm-sql-02', fresh.destinations, { id: 'vm-id-2', trouble: 'Error', lastFailure });
    const [found] = problemsOf(summaryOf(appliance([failing])), NOW).problems;
    expect(found).toMatchObject({ kind: 'failed-session', workload: { id: 'vm-id-2', name: 'vm-sql-02' }, session: { id: 's-9', status: 'Error' }, state: 'session:s-9', since: NOW - 3_600_000 });
    expect(found!.reason).toBe('Error · Gold-VMs: Disk <!here> busy');
    // Backed up again since: the failure is history, not a problem.
    expect(problemsOf(summaryOf(appliance([{ ...failing, trouble: null }])), NOW).problems).toEqual([]);
    expect(resolutionOf(found!, summaryOf(appliance([{ ...failing, trouble: null }])))).toContain('succeeded');
  });

  it('lists each unprotected VM of the inventory, keyed by its id', () => {
    const coverage = { workloads: 3, protected: 1, unprotected: [{ kind: 'vm' as const, id: 'vm-7', name: 'vm-new-07', label: null }, { kind: 'vm' as const, id: 'vm-8', name: 'vm-new-07', label: null }] };
    const { problems } = problemsOf(summaryOf(appliance([fresh], null, { coverage })), NOW);
    expect(problems.map((p) => [p.kind, p.workload?.id])).toEqual([['unprotected', 'vm-7'], ['unprotected', 'vm-8']]);
    expect(new Set(problems.map((p) => p.key)).size).toBe(2);
    const covered = workload('vm-new-07', fresh.destinations, { id: 'vm-7' });
    expect(resolutionOf(problems[0]!, summaryOf(appliance([covered])))).toBe('It now has a restore point.');
    expect(resolutionOf(problems[1]!, summaryOf(appliance([])))).toContain('no longer in the appliance');
  });

  it('titles a warning session as a warning, not a failure, and gives a reason without a dangling colon', () => {
    const lastFailure = { sessionId: 's-10', status: 'Warning', startedAt: null, message: 'Snapshot of disk 2 was skipped', policy: null };
    const warned = workload('vm-web-01', fresh.destinations, { trouble: 'Warning', lastFailure });
    const [found] = problemsOf(summaryOf(appliance([warned])), NOW).problems;
    expect(problemTitle(found!)).toBe('vm-web-01: a backup session ended with a warning on weu');
    expect(found!.reason).toBe('Warning: Snapshot of disk 2 was skipped');
    expect(found!.since).toBeNull();
    const bare = workload('vm-web-02', fresh.destinations, { trouble: 'Error', lastFailure: { ...lastFailure, status: '', message: '  ' } });
    const [plain] = problemsOf(summaryOf(appliance([bare])), NOW).problems;
    expect(problemTitle(plain!)).toBe('vm-web-02: a backup session failed on weu');
    expect(plain!.reason).toBe('the appliance logged no reason');
  });
});
