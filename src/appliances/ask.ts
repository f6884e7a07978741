/**
 * From the words someone typed to an answer: parse, resolve times in the asker's zone, read the
 * appliances (as of that time if asked), and decide what to show. Shared by the slash command,
 * mentions and `restorepoints query`; each only supplies how to learn the asker's time zone.
 */
import { summaryOf, type Fleet } from './fleet.ts';
import { answerQuery, type Answer } from '../restore-points/answer.ts';
import { parseQuery, type Query } from '../restore-points/query.ts';
import { needsTimeZone, resolveTime, type TimeSpec } from '../restore-points/query-time.ts';
import { nextTurn } from '../lib/next-turn.ts';

/** How long a question waits for an appliance before answering without it (it is named as slow). */
export const ANSWER_WAIT_MS = 15_000;

export interface AskContext {
  readonly fleet: Fleet;
  /** Defaults to ANSWER_WAIT_MS. */
  readonly waitMs?: number;
  readonly now: () => number;
  /** Only called when the words hold a wall-clock time (Slack: users.info, cached). */
  readonly timeZone: () => Promise<string>;
}

export interface Asked {
  readonly query: Query;
  readonly answer: Answer;
}

export async function ask(text: string, context: AskContext): Promise<Asked> {
  const query = parseQuery(text);
  const now = context.now();
  if (query.help || query.problems.length > 0) {
    return { query, answer: answerQuery(query, { generatedAt: new Date(now).toISOString(), appliances: [] }, { now, asOf: null }) };
  }
  const asOf = query.before === null ? null : readInstant(query.before, now, needsTimeZone(query.before) ? await context.timeZone() : 'UTC');
  const readings = await context.fleet.readAll(asOf, { waitMs: context.waitMs ?? ANSWER_WAIT_MS });
  // A shared reading is often settled already: without these turns, every question's summary and
  // answer would run before the next request is even parsed, and acks would queue behind them.
  await nextTurn();
  const summary = summaryOf(readings, asOf ?? now, now);
  await nextTurn();
  return { query, answer: answerQuery(query, summary, { now, asOf }) };
}

/**
 * The instant to read as of. "before 3h" means a different millisecond for every asker, and
 * each distinct instant is a full read of the appliance: a duration ago is taken to the whole
 * minute, so everyone asking within a minute shares one read (100 mixed questions made 76 reads).
 */
function readInstant(spec: TimeSpec, now: number, timeZone: string): number {
  const instant = resolveTime(spec, now, timeZone);
  return spec.kind === 'ago' ? Math.floor(instant / 60_000) * 60_000 : instant;
}
