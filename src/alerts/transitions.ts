/**
 * How alert state moves: pure functions from (state, what was seen or clicked, now) to the next
 * state and the Slack actions it calls for. The actions wait in the state's outbox until Slack
 * has taken them, so a post that fails is tried again by the next watch and none is lost, and
 * a claim on each one keeps two replicas from sending the same.
 */
import type { Observation, Problem } from './problems.ts';

export interface Person {
  readonly id: string;
  /** The Slack user name, shown instead of a mention (the bot never pings). */
  readonly name: string;
}

export interface AlertRecord {
  /** As last seen. */
  readonly problem: Problem;
  /** When the watch first saw it (epoch ms). */
  readonly openedAt: number;
  readonly resolvedAt: number | null;
  /** Already wrong at the first watch: listed in the baseline message, which is its thread. */
  readonly baseline: boolean;
  /** Channel → ts of the root message (the baseline message for a baseline problem). */
  readonly roots: Readonly<Record<string, string>>;
  readonly acknowledged: { readonly by: Person; readonly at: number } | null;
  readonly snoozed: { readonly by: Person; readonly until: number; readonly at: number } | null;
}

/** What a thread reply says. */
export type Note =
  | { readonly kind: 'changed'; readonly reason: string }
  | { readonly kind: 'resolved'; readonly reason: string }
  | { readonly kind: 'reopened'; readonly reason: string }
  | { readonly kind: 'snooze-ended' };

export type OutgoingType = 'post' | 'update' | 'reply' | 'baseline';

export interface Outgoing {
  readonly id: number;
  readonly type: OutgoingType;
  readonly channel: string;
  /** The problem it is about; every problem listed for a baseline message. */
  readonly keys: readonly string[];
  readonly note: Note | null;
  readonly claim: { readonly by: string; readonly until: number } | null;
  readonly attempts: number;
  readonly lastError: string | null;
}

export interface AlertState {
  readonly version: 1;
  /** False until the first watch has recorded what was already wrong. */
  readonly baselined: boolean;
  readonly records: Readonly<Record<string, AlertRecord>>;
  readonly outbox: readonly Outgoing[];
  /** Which replica watches, and until when, unless it renews. */
  readonly lease: { readonly by: string; readonly until: number } | null;
  readonly nextId: number;
}

export const EMPTY_STATE: AlertState = { version: 1, baselined: false, records: {}, outbox: [], lease: null, nextId: 1 };

/** A step's result: the next state and the actions it added to the outbox. */
export interface Step {
  readonly state: AlertState;
  readonly actions: readonly Outgoing[];
}

/** Adds actions, skipping an edit already waiting (an edit renders the record as it is when sent). */
class Outbox {
  readonly added: Outgoing[] = [];
  #items: Outgoing[];
  #nextId: number;
  constructor(state: AlertState) {
    this.#items = [...state.outbox];
    this.#nextId = state.nextId;
  }
  add(type: OutgoingType, channel: string, keys: readonly string[], note: Note | null = null): void {
    if (type === 'update') {
      const waiting = this.#items.some((item) => item.channel === channel && item.keys.length === 1 && item.keys[0] === keys[0] && (item.type === 'post' || item.type === 'update') && item.claim === null);
      if (waiting) return;
    }
    const item: Outgoing = { id: this.#nextId++, type, channel, keys, note, claim: null, attempts: 0, lastError: null };
    this.#items.push(item);
    this.added.push(item);
  }
  step(state: AlertState, records: Record<string, AlertRecord>): Step {
    return { state: collect({ ...state, records, outbox: this.#items, nextId: this.#nextId }), actions: this.added };
  }
}

/** Compares what a watch saw with the state: new problems, changes, resolutions, ended snoozes. */
export function observe(state: AlertState, seen: Observation, now: number, channels: readonly string[], resolution: (problem: Problem) => string): Step {
  const outbox = new Outbox(state);
  const records: Record<string, AlertRecord> = { ...state.records };
  if (!state.baselined) {
    for (const problem of seen.problems) {
      records[problem.key] = { problem, openedAt: now, resolvedAt: null, baseline: true, roots: {}, acknowledged: null, snoozed: null };
    }
    const keys = seen.problems.map((problem) => problem.key);
    if (keys.length > 0) for (const channel of channels) outbox.add('baseline', channel, keys);
    return outbox.step({ ...state, baselined: true }, records);
  }

  const present = new Set<string>();
  for (const problem of seen.problems) {
    present.add(problem.key);
    const record = records[problem.key];
    if (!record) {
      records[problem.key] = { problem, openedAt: now, resolvedAt: null, baseline: false, roots: {}, acknowledged: null, snoozed: null };
      for (const channel of channels) outbox.add('post', channel, [problem.key]);
      continue;
    }
    if (record.resolvedAt !== null) {
      records[problem.key] = { ...record, problem, resolvedAt: null };
      for (const channel of channels) {
        outbox.add('reply', channel, [problem.key], { kind: 'reopened', reason: problem.reason });
        if (!record.baseline) outbox.add('update', channel, [problem.key]);
      }
      continue;
    }
    const changed = problem.state !== record.problem.state;
    records[problem.key] = { ...record, problem };
    if (changed) {
      const silenced = record.snoozed !== null && record.snoozed.until > now;
      for (const channel of channels) {
        if (!silenced) outbox.add('reply', channel, [problem.key], { kind: 'changed', reason: problem.reason });
        if (!record.baseline) outbox.add('update', channel, [problem.key]);
      }
    }
  }

  const held = new Set(seen.held);
  for (const [key, record] of Object.entries(records)) {
    if (record.resolvedAt !== null) continue;
    if (!present.has(key)) {
      // An unreadable appliance's other problems are unknown this time, not gone.
      if (record.problem.kind !== 'unreadable' && held.has(record.problem.appliance)) continue;
      records[key] = { ...record, resolvedAt: now, snoozed: null };
      for (const channel of channels) {
        if (!record.baseline) outbox.add('update', channel, [key]);
        outbox.add('reply', channel, [key], { kind: 'resolved', reason: resolution(record.problem) });
      }
    } else if (record.snoozed !== null && record.snoozed.until <= now) {
      records[key] = { ...records[key]!, snoozed: null };
      for (const channel of channels) {
        outbox.add('reply', channel, [key], { kind: 'snooze-ended' });
        if (!record.baseline) outbox.add('update', channel, [key]);
      }
    }
  }
  return outbox.step(state, records);
}

export type Click = { readonly action: 'acknowledge' } | { readonly action: 'snooze'; readonly until: number };

/** Acknowledge or snooze from the message: the root is edited to show who (and until when). */
export function click(state: AlertState, key: string, who: Person, what: Click, now: number, channels: readonly string[]): Step & { readonly found: boolean } {
  const record = state.records[key];
  if (!record || record.resolvedAt !== null) return { state, actions: [], found: false };
  const changed: AlertRecord =
    what.action === 'acknowledge' ? { ...record, acknowledged: { by: who, at: now } } : { ...record, snoozed: { by: who, until: what.until, at: now } };
  const outbox = new Outbox(state);
  if (!record.baseline) for (const channel of channels) outbox.add('update', channel, [key]);
  return { ...outbox.step(state, { ...state.records, [key]: changed }), found: true };
}

/** Takes (or renews) the watch for `owner` unless another replica holds a live lease. */
export function takeLease(state: AlertState, owner: string, now: number, ttlMs: number): { state: AlertState; held: boolean } {
  if (state.lease && state.lease.by !== owner && state.lease.until > now) return { state, held: false };
  return { state: { ...state, lease: { by: owner, until: now + ttlMs } }, held: true };
}

export function releaseLease(state: AlertState, owner: string): AlertState {
  return state.lease?.by === owner ? { ...state, lease: null } : state;
}

/** Whether Slack can take this item now: replies and edits need their root message. */
function ready(item: Outgoing, records: AlertState['records']): boolean {
  if (item.type === 'post' || item.type === 'baseline') return true;
  return records[item.keys[0]!]?.roots[item.channel] !== undefined;
}

/**
 * Claims, for `owner`, the items that can be sent now, in order: an item waits while an earlier
 * one about the same problem in the same channel is unsent (a reply never overtakes its root).
 */
export function claimDue(state: AlertState, owner: string, now: number, claimMs: number): { state: AlertState; claimed: Outgoing[] } {
  const blocked = new Set<string>();
  const claimed: Outgoing[] = [];
  const rootComing = new Set(state.outbox.filter((item) => item.type === 'post' || item.type === 'baseline').flatMap((item) => item.keys.map((key) => `${item.channel}\n${key}`)));
  // A reply or edit for a channel where the problem has no root and none is coming (the channel
  // was added to ALERT_CHANNELS later) has no thread to go to.
  const reachable = state.outbox.filter((item) => ready(item, state.records) || rootComing.has(`${item.channel}\n${item.keys[0]}`));
  const outbox = reachable.map((item) => {
    const lanes = item.keys.map((key) => `${item.channel}\n${key}`);
    const free = lanes.every((lane) => !blocked.has(lane)) && (item.claim === null || item.claim.until <= now) && ready(item, state.records);
    for (const lane of lanes) blocked.add(lane);
    if (!free) return item;
    const taken = { ...item, claim: { by: owner, until: now + claimMs } };
    claimed.push(taken);
    return taken;
  });
  return { state: collect({ ...state, outbox }), claimed };
}

export type Delivery =
  | { readonly id: number; readonly ok: true; readonly ts: string | null }
  /** `unknown`: the request may have reached Slack (it timed out, the connection dropped). */
  | { readonly id: number; readonly ok: false; readonly error: string; readonly unknown?: boolean; readonly deferred?: boolean };

/** Records what Slack said: a sent item leaves the outbox (a root's ts is kept); a failed one waits for the next try. */
export function settle(state: AlertState, deliveries: readonly Delivery[]): AlertState {
  const byId = new Map(deliveries.map((delivery) => [delivery.id, delivery]));
  const records: Record<string, AlertRecord> = { ...state.records };
  const outbox: Outgoing[] = [];
  for (const item of state.outbox) {
    const delivery = byId.get(item.id);
    if (!delivery) {
      outbox.push(item);
      continue;
    }
    if (!delivery.ok) {
      // A message that may have been posted is not sent again (a duplicate root would split the
      // thread); an edit can be, it only renders the same state again.
      if (delivery.unknown && item.type !== 'update') continue;
      // Not tried (Slack asked to slow down first): released as it was, for the next watch.
      if (delivery.deferred) outbox.push({ ...item, claim: null });
      else outbox.push({ ...item, claim: null, attempts: item.attempts + 1, lastError: delivery.error });
      continue;
    }
    if ((item.type === 'post' || item.type === 'baseline') && delivery.ts) {
      for (const key of item.keys) {
        const record = records[key];
        if (record) records[key] = { ...record, roots: { ...record.roots, [item.channel]: delivery.ts } };
      }
    }
  }
  return collect({ ...state, records, outbox });
}

/** A resolved problem is forgotten once its thread has been told. */
function collect(state: AlertState): AlertState {
  const waiting = new Set(state.outbox.flatMap((item) => item.keys));
  const records = Object.fromEntries(Object.entries(state.records).filter(([key, record]) => record.resolvedAt === null || waiting.has(key)));
  return { ...state, records };
}

/** Open problems that are snoozed now. */
export function snoozedNow(state: AlertState, now: number): AlertRecord[] {
  return Object.values(state.records).filter((record) => record.resolvedAt === null && record.snoozed !== null && record.snoozed.until > now);
}

/** The stored document as a state: nothing stored (or a shape this version does not know) is a fresh start. */
export function stateFrom(document: unknown): AlertState {
  if (!document || typeof document !== 'object') return EMPTY_STATE;
  const candidate = document as Partial<AlertState>;
  if (candidate.version !== 1 || typeof candidate.records !== 'object' || !Array.isArray(candidate.outbox)) return EMPTY_STATE;
  return { ...EMPTY_STATE, ...candidate } as AlertState;
}
