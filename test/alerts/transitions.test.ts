/** The alert transitions, pure: problem sets in, Slack actions out, with a fixed `now`. */
import { describe, expect, it } from 'vitest';
import { problemKey, type Problem } from '../../src/alerts/problems.ts';
import { claimDue, click, EMPTY_STATE, observe, releaseLease, settle, snoozedNow, takeLease, type AlertState, type Outgoing } from '../../src/alerts/transitions.ts';

const NOW = Date.parse('2026-11-26T10:00:00Z');
const MIN = 60_000;
const CHANNELS = ['CALERT001', 'CALERT002'];
const ALICE = { id: 'U0ALICE', name: 'alice' };

function stale(name: string, state = 'latest:p1'): Problem {
  const workload = { kind: 'vm', id: null, name };
  return { key: problemKey('weu', 'stale', workload, 'Snapshot'), kind: 'stale', appliance: 'weu', workload, destination: 'Snapshot', since: NOW - 60 * MIN, reason: `${name} is old`, state, session: { id: 'S1', status: null } };
}
function down(appliance = 'weu'): Problem {
  return { key: problemKey(appliance, 'unreadable', null, null), kind: 'unreadable', appliance, workload: null, destination: null, since: null, reason: 'connection refused', state: 'refused', session: null };
}
const seen = (problems: Problem[], held: string[] = []) => ({ problems, held });
const resolution = () => 'a new point arrived';
const kinds = (actions: readonly Outgoing[]) => actions.map((action) => `${action.type}${action.note ? `:${action.note.kind}` : ''}@${action.channel}`);

/** Sends everything due as Slack would accept it, giving roots ts "1", "2"… */
function deliverAll(state: AlertState, at = NOW): AlertState {
  let current = state;
  for (let round = 0; round < 5; round++) {
    const { state: claimedState, claimed } = claimDue(current, 'me', at, MIN);
    if (claimed.length === 0) return claimedState;
    current = settle(claimedState, claimed.map((item) => ({ id: item.id, ok: true as const, ts: `ts${item.id}` })));
  }
  return current;
}

/** A state past its baseline, with `problems` open and their roots posted. */
function opened(problems: Problem[]): AlertState {
  const base = observe(EMPTY_STATE, seen([]), NOW - 20 * MIN, CHANNELS, resolution).state;
  return deliverAll(observe(base, seen(problems), NOW - 10 * MIN, CHANNELS, resolution).state);
}

describe('the first watch', () => {
  it('records a baseline and posts one message per channel listing what is already wrong', () => {
    const step = observe(EMPTY_STATE, seen([stale('vm-a'), stale('vm-b'), down('neu')]), NOW, CHANNELS, resolution);
    expect(kinds(step.actions)).toEqual(['baseline@CALERT001', 'baseline@CALERT002']);
    expect(step.actions[0]!.keys).toHaveLength(3);
    expect(step.state.baselined).toBe(true);
    expect(Object.keys(step.state.records)).toHaveLength(3);
  });

  it('posts nothing when nothing is wrong', () => {
    const step = observe(EMPTY_STATE, seen([]), NOW, CHANNELS, resolution);
    expect(step.actions).toEqual([]);
    expect(step.state.baselined).toBe(true);
  });

  it('then says nothing again for the same problems (a restart with the state)', () => {
    const first = deliverAll(observe(EMPTY_STATE, seen([stale('vm-a')]), NOW, CHANNELS, resolution).state);
    expect(observe(first, seen([stale('vm-a')]), NOW + 10 * MIN, CHANNELS, resolution).actions).toEqual([]);
  });

  it('tells a baseline problem\'s resolution in the baseline message\'s thread, without editing the list', () => {
    const first = deliverAll(observe(EMPTY_STATE, seen([stale('vm-a')]), NOW, CHANNELS, resolution).state);
    const step = observe(first, seen([]), NOW + 10 * MIN, CHANNELS, resolution);
    expect(kinds(step.actions)).toEqual(['reply:resolved@CALERT001', 'reply:resolved@CALERT002']);
    const done = deliverAll(step.state);
    expect(done.records).toEqual({});
  });
});

describe('a new problem', () => {
  it('posts one root per alert channel, and nothing more while it stays the same', () => {
    const base = observe(EMPTY_STATE, seen([]), NOW - 10 * MIN, CHANNELS, resolution).state;
    const step = observe(base, seen([stale('vm-a')]), NOW, CHANNELS, resolution);
    expect(kinds(step.actions)).toEqual(['post@CALERT001', 'post@CALERT002']);
    const posted = deliverAll(step.state);
    expect(posted.records[stale('vm-a').key]!.roots).toEqual({ CALERT001: expect.any(String), CALERT002: expect.any(String) });
    expect(observe(posted, seen([stale('vm-a')]), NOW + 10 * MIN, CHANNELS, resolution).actions).toEqual([]);
  });

  it('edits the root and replies in the thread when its state changes', () => {
    const state = opened([stale('vm-a', 'latest:p1')]);
    const step = observe(state, seen([stale('vm-a', 'latest:p2')]), NOW, CHANNELS, resolution);
    expect(kinds(step.actions).sort()).toEqual(['reply:changed@CALERT001', 'reply:changed@CALERT002', 'update@CALERT001', 'update@CALERT002']);
  });

  it('edits the root to say it is resolved and replies what resolved it, then forgets it', () => {
    const state = opened([stale('vm-a')]);
    const step = observe(state, seen([]), NOW, CHANNELS, resolution);
    expect(kinds(step.actions)).toEqual(['update@CALERT001', 'reply:resolved@CALERT001', 'update@CALERT002', 'reply:resolved@CALERT002']);
    expect(step.actions[1]!.note).toEqual({ kind: 'resolved', reason: 'a new point arrived' });
    expect(step.state.records[stale('vm-a').key]!.resolvedAt).toBe(NOW);
    expect(deliverAll(step.state).records).toEqual({});
  });

  it('holds the problems of an appliance that cannot be read: neither resolved nor repeated', () => {
    const state = opened([stale('vm-a')]);
    const step = observe(state, seen([down()], ['weu']), NOW, CHANNELS, resolution);
    expect(kinds(step.actions)).toEqual(['post@CALERT001', 'post@CALERT002']);
    expect(step.actions.every((action) => action.keys[0] === down().key)).toBe(true);
    expect(step.state.records[stale('vm-a').key]!.resolvedAt).toBeNull();
  });
});

describe('delivery', () => {
  it('keeps a failed post and tries it again; its replies wait for it', () => {
    const base = observe(EMPTY_STATE, seen([]), NOW - 10 * MIN, ['CALERT001'], resolution).state;
    const posting = claimDue(observe(base, seen([stale('vm-a')]), NOW, ['CALERT001'], resolution).state, 'me', NOW, MIN);
    const failed = settle(posting.state, posting.claimed.map((item) => ({ id: item.id, ok: false as const, error: 'ratelimited' })));
    expect(failed.outbox).toEqual([expect.objectContaining({ type: 'post', attempts: 1, lastError: 'ratelimited', claim: null })]);
    const resolvedMeanwhile = observe(failed, seen([]), NOW + MIN, ['CALERT001'], resolution).state;
    const next = claimDue(resolvedMeanwhile, 'me', NOW + MIN, MIN);
    expect(next.claimed.map((item) => item.type)).toEqual(['post']);
    expect(deliverAll(resolvedMeanwhile, NOW + MIN).records).toEqual({});
  });

  it('does not send again a post that may have reached Slack, nor the replies that needed it; an edit is retried', () => {
    const base = observe(EMPTY_STATE, seen([]), NOW - 10 * MIN, ['CALERT001'], resolution).state;
    const posting = claimDue(observe(base, seen([stale('vm-a')]), NOW, ['CALERT001'], resolution).state, 'me', NOW, MIN);
    const unknown = settle(posting.state, posting.claimed.map((item) => ({ id: item.id, ok: false as const, error: 'timeout', unknown: true })));
    expect(unknown.outbox).toEqual([]);
    const resolved = observe(unknown, seen([]), NOW + MIN, ['CALERT001'], resolution).state;
    expect(claimDue(resolved, 'me', NOW + MIN, MIN).claimed).toEqual([]);
    expect(claimDue(resolved, 'me', NOW + MIN, MIN).state.records).toEqual({});

    const state = opened([stale('vm-b')]);
    const editing = claimDue(click(state, stale('vm-b').key, ALICE, { action: 'acknowledge' }, NOW, CHANNELS).state, 'me', NOW, MIN);
    const retried = settle(editing.state, editing.claimed.map((item) => ({ id: item.id, ok: false as const, error: 'timeout', unknown: true })));
    expect(retried.outbox.map((item) => item.type)).toEqual(['update', 'update']);
  });

  it('never hands one item to two replicas while the claim lasts', () => {
    const base = observe(EMPTY_STATE, seen([]), NOW - 10 * MIN, ['CALERT001'], resolution).state;
    const state = observe(base, seen([stale('vm-a')]), NOW, ['CALERT001'], resolution).state;
    const first = claimDue(state, 'a', NOW, MIN);
    expect(first.claimed).toHaveLength(1);
    expect(claimDue(first.state, 'b', NOW + 1000, MIN).claimed).toHaveLength(0);
    expect(claimDue(first.state, 'b', NOW + 2 * MIN, MIN).claimed).toHaveLength(1);
  });
});

describe('acknowledge and snooze', () => {
  it('acknowledging edits the root to show who', () => {
    const state = opened([stale('vm-a')]);
    const step = click(state, stale('vm-a').key, ALICE, { action: 'acknowledge' }, NOW, CHANNELS);
    expect(step.found).toBe(true);
    expect(kinds(step.actions)).toEqual(['update@CALERT001', 'update@CALERT002']);
    expect(step.state.records[stale('vm-a').key]!.acknowledged).toEqual({ by: ALICE, at: NOW });
  });

  it('a snooze silences changes until it ends, then the thread says the problem is still there', () => {
    const state = opened([stale('vm-a', 'latest:p1')]);
    const snoozed = deliverAll(click(state, stale('vm-a').key, ALICE, { action: 'snooze', until: NOW + 240 * MIN }, NOW, CHANNELS).state);
    expect(snoozedNow(snoozed, NOW + MIN).map((record) => record.snoozed?.by.name)).toEqual(['alice']);
    const during = observe(snoozed, seen([stale('vm-a', 'latest:p2')]), NOW + 60 * MIN, CHANNELS, resolution);
    expect(kinds(during.actions)).toEqual(['update@CALERT001', 'update@CALERT002']);
    const after = observe(deliverAll(during.state), seen([stale('vm-a', 'latest:p2')]), NOW + 241 * MIN, CHANNELS, resolution);
    expect(kinds(after.actions)).toEqual(['reply:snooze-ended@CALERT001', 'update@CALERT001', 'reply:snooze-ended@CALERT002', 'update@CALERT002']);
    expect(after.state.records[stale('vm-a').key]!.snoozed).toBeNull();
  });

  it('a click on a problem that is gone changes nothing', () => {
    expect(click(opened([]), stale('vm-a').key, ALICE, { action: 'acknowledge' }, NOW, CHANNELS)).toMatchObject({ found: false, actions: [] });
  });
});

describe('the watch lease', () => {
  it('is held by one replica, renewed by it, and taken over when it ends or is released', () => {
    const a = takeLease(EMPTY_STATE, 'a', NOW, MIN);
    expect(a.held).toBe(true);
    expect(takeLease(a.state, 'b', NOW + 1000, MIN).held).toBe(false);
    expect(takeLease(a.state, 'a', NOW + 1000, MIN).held).toBe(true);
    expect(takeLease(a.state, 'b', NOW + 2 * MIN, MIN).held).toBe(true);
    expect(takeLease(releaseLease(a.state, 'a'), 'b', NOW + 1000, MIN).held).toBe(true);
  });
});
