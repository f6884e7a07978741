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
import { settledWithin } from '../lib/timeout.ts';
import type { SnoozeMark } from '../restore-points/snooze-mark.ts';
import { renderAlertReply, renderAlertRoot, renderBaseline } from '../slack/blocks/alerts.ts';
import type { SlackMessage } from '../slack/blocks/message.ts';
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
  stop(): Promise<void>;
}

/** How long one replica's claim on an item (a send in progress) keeps others off it. */
const CLAIM_MS = 60_000;
/** Rounds of sending per pass: a root, then the replies that waited for it. */
const MAX_ROUNDS = 4;

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

  const change = <T>(step: (state: AlertState) => { state: AlertState; result: T }) =>
    store.update((document) => {
      const { state, result } = step(stateFrom(document));
      return { value: state, result };
    });

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

  /** Sends what is due, in rounds; one sender at a time in this process. */
  const deliver = (): Promise<void> => {
    const next = sending.then(async () => {
      const client = options.client();
      if (!client) return;
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const { state, claimed } = await change((current) => {
          const due = claimDue(current, owner, now(), CLAIM_MS);
          return { state: due.state, result: due };
        });
        if (claimed.length === 0) return;
        const deliveries: Delivery[] = [];
        for (const item of claimed) {
          try {
            deliveries.push({ id: item.id, ok: true, ts: await send(item, state, client) });
            options.metrics?.sent(item.type);
          } catch (error) {
            const reason = slackError(error);
            const unknown = outcomeUnknown(error);
            deliveries.push({ id: item.id, ok: false, error: reason, unknown });
            options.metrics?.failed(item.type);
            if (unknown && item.type !== 'update') log.error({ type: item.type, channel: item.channel, reason }, 'Slack did not answer an alert post: it may have been posted, so it is not sent again');
            else log.warn({ type: item.type, channel: item.channel, attempts: item.attempts + 1, reason }, 'an alert could not be sent; it is tried again at the next watch');
          }
        }
        await change((current) => ({ state: settle(current, deliveries), result: null }));
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
      const pass = runOnce().catch((error: unknown) => log.error({ err: error }, 'the alert watch failed; it runs again at the next interval'));
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

/** Connection never made: Slack cannot have seen the request. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Whether Slack may have taken the request although no answer came: the Web API client's request
 * errors (a timeout, a connection dropped mid-request), unless the connection was never made.
 * Platform errors (`ok: false`), HTTP errors and rate limits are answers: nothing was posted.
 */
function outcomeUnknown(error: unknown): boolean {
  const { code, original } = error as { code?: unknown; original?: { code?: unknown; cause?: { code?: unknown } } };
  if (code !== 'slack_webapi_request_error') return false;
  const cause = original?.code ?? original?.cause?.code;
  return !(typeof cause === 'string' && NOT_SENT.has(cause));
}

function slackError(error: unknown): string {
  const data = (error as { data?: { error?: unknown } }).data;
  return typeof data?.error === 'string' ? data.error : error instanceof Error ? error.message : String(error);
}
