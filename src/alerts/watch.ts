/**
 * The watch: every WATCH_EVERY, one replica (the lease holder) reads the appliances through
 * the fleet and its cache, compares what it sees with the saved state, and sends what the
 * transitions call for. Clicks (acknowledge, snooze) change the state from any replica and are
 * sent at once. Sending claims each item in the state first, so no message goes out twice.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Fleet } from '../appliances/fleet.ts';
import type { Logger } from '../log.ts';
import { mapBounded } from '../lib/map-bounded.ts';
import { settledWithin } from '../lib/timeout.ts';
import type { SnoozeMark } from '../restore-points/snooze-mark.ts';
import { renderAlertReply, renderAlertRoot, renderBaseline } from '../slack/blocks/alerts.ts';
import type { SlackMessage } from '../slack/blocks/message.ts';
import { postWithoutDuplicates } from '../slack/post-fate.ts';
import type { StateStore } from '../state/store.ts';
import { PROBLEM_KINDS, problemsOf, problemTitle, resolutionOf, type ProblemKind } from './problems.ts';
import { claimDue, click, observe, releaseLease, settle, snoozedNow, stateFrom, takeLease, type AlertState, type Click, type Delivery, type Outgoing, type OutgoingType, type Person } from './transitions.ts';

/** What the watch needs of Slack's Web API. */
export interface AlertClient {
  readonly chat: {
    postMessage(args: { channel: string; text: string; blocks: SlackMessage['blocks'][number][]; thread_ts?: string; unfurl_links?: boolean }): Promise<{ ts?: string }>;
    update(args: { channel: string; ts: string; text: string; blocks: SlackMessage['blocks'][number][] }): Promise<unknown>;
  };
}

export interface AlertMetrics {
  /** Open problems by kind, after each watch. */
  open(counts: Readonly<Record<ProblemKind, number>>): void;
  sent(type: OutgoingType): void;
  failed(type: OutgoingType): void;
}

export interface AlertWatchOptions {
  readonly fleet: Fleet;
  readonly store: StateStore;
  readonly channels: readonly string[];
  readonly everyMs: number;
  readonly logger: Logger;
  readonly now?: () => number;
  /** The Web API client; null until Slack is up. */
  readonly client: () => AlertClient | null;
  readonly metrics?: AlertMetrics;
  /** What to do when the state cannot be opened or saved (said in the log and on /readyz). */
  readonly stateFix?: string;
  /** Sends at once (default SEND_LANES): many new problems never burst into Slack's rate limit. */
  readonly sendLanes?: number;
  /** The longest Retry-After waited for within a watch (default 30 s); longer waits for the next watch. */
  readonly maxRetryWaitMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface AlertWatch {
  /** This replica's name in the lease and in claims. */
  readonly owner: string;
  /** Starts watching: a first watch now, then every `everyMs`. */
  start(): void;
  /** One watch, as the timer runs it; false when another replica holds the watch. */
  runOnce(): Promise<boolean>;
  /** Acknowledge or snooze; false when the problem is no longer open. */
  clicked(key: string, who: Person, what: Click): Promise<boolean>;
  /** Snoozed problems, for the digest. */
  snoozed(): Promise<SnoozeMark[]>;
  /** Why the state cannot be opened or saved (nothing is posted meanwhile); null when it can. */
  problem(): string | null;
  stop(): Promise<void>;
}

/** The alert state could not be read or saved: the watch posts nothing and tries again next time. */
export class AlertStateUnavailable extends Error {}

/** How long one replica's claim on an item (a send in progress) keeps others off it. */
const CLAIM_MS = 60_000;
/** Rounds of sending per pass: a root, then the replies that waited for it. */
const MAX_ROUNDS = 4;
/** Messages sent at once by one watch. */
export const SEND_LANES = 3;

export function createAlertWatch(options: AlertWatchOptions): AlertWatch {
  const { fleet, store, channels, logger } = options;
  const now = options.now ?? Date.now;
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  // Another replica takes the watch over when this one has missed a few watches.
  const leaseMs = Math.max(3 * options.everyMs, 30_000);
  const log = logger.child({ component: 'alerts' });
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  let sending: Promise<unknown> = Promise.resolve();
  let stateProblem: string | null = null;
  /** What was sent but could not be saved yet: saved before anything else is sent. */
  let unsettled: Delivery[] = [];
  /** Slack's Retry-After: no new send before this (the real clock, as Slack's). */
  let slowUntil = 0;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  const change = async <T>(step: (state: AlertState) => { state: AlertState; result: T }): Promise<T> => {
    let result: T;
    try {
      result = await store.update((document) => {
        const next = step(stateFrom(document));
        return { value: next.state, result: next.result };
      });
    } catch (error) {
      const reason = `the alert state (${store.where}) cannot be opened or saved: ${(error as Error).message}`;
      if (stateProblem === null) {
        log.error({ fix: options.stateFix ?? null }, `${reason}. Nothing is posted until it can be saved (so nothing is posted twice); it is tried again at every watch.${options.stateFix ? ` Fix: ${options.stateFix}.` : ''}`);
      } else log.debug({ reason }, 'the alert state still cannot be saved');
      stateProblem = `${reason}; nothing is posted until it works${options.stateFix ? `. Fix: ${options.stateFix}` : ''}`;
      throw new AlertStateUnavailable(reason);
    }
    if (stateProblem !== null) {
      stateProblem = null;
      log.info({ state: store.where }, 'the alert state can be saved again: alerts are posted again');
    }
    return result;
  };

  const send = async (item: Outgoing, state: AlertState, client: AlertClient): Promise<string | null> => {
    const at = now();
    const record = state.records[item.keys[0]!];
    if (item.type === 'baseline') {
      const records = item.keys.flatMap((key) => (state.records[key] ? [state.records[key]] : []));
      const message = renderBaseline(records, at);
      return (await client.chat.postMessage({ channel: item.channel, text: message.text, blocks: [...message.blocks], unfurl_links: false })).ts ?? null;
    }
    if (!record) return null;
    const root = record.roots[item.channel];
    if (item.type === 'post') {
      const message = renderAlertRoot(record, at);
      return (await client.chat.postMessage({ channel: item.channel, text: message.text, blocks: [...message.blocks], unfurl_links: false })).ts ?? null;
    }
    if (!root) return null;
    if (item.type === 'update') {
      if (record.baseline) return null;
      const message = renderAlertRoot(record, at);
      await client.chat.update({ channel: item.channel, ts: root, text: message.text, blocks: [...message.blocks] });
      return null;
    }
    const message = renderAlertReply(record, item.note!, at);
    await client.chat.postMessage({ channel: item.channel, thread_ts: root, text: message.text, blocks: [...message.blocks], unfurl_links: false });
    return null;
  };

  /** Sends one item; Slack's Retry-After is waited for once (within bounds), and slows every lane. */
  const sendOne = async (item: Outgoing, state: AlertState, client: AlertClient): Promise<Delivery> => {
    if (Date.now() < slowUntil) return { id: item.id, ok: false, error: 'ratelimited', deferred: true };
    let caught: unknown = null;
    const attempt = () =>
      send(item, state, client).catch((error: unknown) => {
        caught = error;
        throw error;
      });
    const result = await postWithoutDuplicates(attempt, {
      maxTries: 2,
      maxWaitMs: options.maxRetryWaitMs ?? 30_000,
      sleep,
      onRetry: (fate, waitMs) => {
        if (fate.kind === 'not-done' && fate.retryAfterMs !== null) slowUntil = Math.max(slowUntil, Date.now() + waitMs);
      },
    });
    if (result.ok) {
      options.metrics?.sent(item.type);
      return { id: item.id, ok: true, ts: result.value };
    }
    const { fate } = result;
    if (fate.kind === 'not-done' && fate.retryAfterMs !== null) slowUntil = Math.max(slowUntil, Date.now() + fate.retryAfterMs);
    // Only a request that went out and got no answer may have been posted; anything else was not.
    const unknown = fate.kind === 'unknown' && (caught as { code?: unknown } | null)?.code === 'slack_webapi_request_error';
    options.metrics?.failed(item.type);
    if (unknown && item.type !== 'update') log.error({ type: item.type, channel: item.channel, reason: fate.error }, 'Slack did not answer an alert post: it may have been posted, so it is not sent again');
    else log.warn({ type: item.type, channel: item.channel, attempts: item.attempts + 1, reason: fate.error }, 'an alert could not be sent; it is tried again at the next watch');
    return { id: item.id, ok: false, error: fate.error, unknown };
  };

  /** Sends what is due, in rounds, a few at a time; one sender at a time in this process. */
  const deliver = (): Promise<void> => {
    const next = sending.then(async () => {
      const client = options.client();
      if (!client) return;
      if (unsettled.length > 0) {
        // Sent before the state could be saved: saved first, or nothing more is sent.
        const saving = unsettled;
        await change((current) => ({ state: settle(current, saving), result: null }));
        unsettled = [];
      }
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const { state, claimed } = await change((current) => {
          const due = claimDue(current, owner, now(), CLAIM_MS);
          return { state: due.state, result: due };
        });
        if (claimed.length === 0) return;
        const deliveries = await mapBounded(claimed, options.sendLanes ?? SEND_LANES, (item) => sendOne(item, state, client));
        const deferred = deliveries.filter((delivery) => !delivery.ok && delivery.deferred).length;
        if (deferred > 0) log.warn({ deferred, retryAfterMs: Math.max(0, slowUntil - Date.now()) }, 'Slack asked the bot to slow down: the alerts not sent yet wait for the next watch');
        try {
          await change((current) => ({ state: settle(current, deliveries), result: null }));
        } catch (error) {
          unsettled = deliveries;
          throw error;
        }
        if (deliveries.some((delivery) => !delivery.ok)) return;
      }
    });
    sending = next.catch(() => undefined);
    return next;
  };

  const runOnce = async (): Promise<boolean> => {
    const held = await change((state) => {
      const lease = takeLease(state, owner, now(), leaseMs);
      return { state: lease.state, result: lease.held };
    });
    if (!held) {
      log.debug('another replica holds the alert watch');
      return false;
    }
    const summary = await fleet.summary();
    const at = now();
    const seen = problemsOf(summary, at);
    const state = await change((current) => {
      const step = observe(current, seen, at, channels, (problem) => resolutionOf(problem, summary));
      return { state: step.state, result: step.state };
    });
    options.metrics?.open(openByKind(state));
    await deliver();
    return true;
  };

  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      const pass = runOnce().catch((error: unknown) => {
        // A state that cannot be saved was said once, plainly, where it happened.
        if (!(error instanceof AlertStateUnavailable)) log.error({ err: error }, 'the alert watch failed; it runs again at the next interval');
      });
      running = pass;
      void pass.finally(() => schedule(options.everyMs));
    }, delayMs);
  };

  return {
    owner,
    start: () => schedule(0),
    runOnce,
    async clicked(key, who, what) {
      const found = await change((state) => {
        const step = click(state, key, who, what, now(), channels);
        return { state: step.state, result: step.found };
      });
      if (found) await deliver();
      return found;
    },
    async snoozed() {
      return snoozeMarks(stateFrom(await store.read()), now());
    },
    problem: () => stateProblem,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await settledWithin(running, 5_000);
      await settledWithin(sending, 5_000);
      try {
        await change((state) => ({ state: releaseLease(state, owner), result: null }));
      } catch (error) {
        log.warn({ reason: (error as Error).message }, 'could not release the alert watch; another replica takes it over when the lease ends');
      }
    },
  };
}

/** Snoozed problems as the digest lists them. */
export function snoozeMarks(state: AlertState, now: number): SnoozeMark[] {
  return snoozedNow(state, now).map((record) => ({ appliance: record.problem.appliance, what: problemTitle(record.problem), by: record.snoozed!.by.name, until: record.snoozed!.until }));
}

export function openByKind(state: AlertState): Record<ProblemKind, number> {
  const counts = Object.fromEntries(PROBLEM_KINDS.map((kind) => [kind, 0])) as Record<ProblemKind, number>;
  for (const record of Object.values(state.records)) if (record.resolvedAt === null) counts[record.problem.kind]++;
  return counts;
}
