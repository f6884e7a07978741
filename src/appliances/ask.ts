/**
 * From the words someone typed to an answer: parse, resolve times in the asker's zone, read the
 * appliances (as of that time if asked), and decide what to show. Shared by the slash command,
 * mentions and `restorepoints query`; each only supplies how to learn the asker's time zone.
 */
import type { Fleet } from './fleet.ts';
import { summariseReading, SUMMARY_REUSE_MS } from './reader.ts';
import type { ApplianceSummary, Summary } from '../restore-points/summary.ts';
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
  /** False when nobody will ask again (a command that exits): a slow appliance is not "still being read". */
  readonly readOn?: boolean;
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
  const readings = await context.fleet.readAll(asOf, { waitMs: context.waitMs ?? ANSWER_WAIT_MS, readOn: context.readOn ?? true });
  // A shared reading is often settled already: without these turns, every question's summary and
  // answer would run before the next request is even parsed, and acks would queue behind them.
  // One turn per appliance: summarising one of 5,000 workloads is 100–200 ms on a busy machine,
  // and a few of them in one step held acks for half a second.
  const appliances: ApplianceSummary[] = [];
  for (const reading of readings) {
    await nextTurn();
    appliances.push(summariseReading(reading, asOf ?? now));
  }
  const summary: Summary = { generatedAt: new Date(now).toISOString(), appliances };
  const key = answerKey(query, asOf);
  const known = reusableAnswer(context.fleet, key, summary.appliances, now);
  if (known) return { query, answer: known };
  await nextTurn();
  const answer = answerQuery(query, summary, { now, asOf });
  rememberAnswer(context.fleet, key, { appliances: summary.appliances, now, answer });
  return { query, answer };
}

interface KnownAnswer {
  readonly appliances: readonly ApplianceSummary[];
  readonly now: number;
  readonly answer: Answer;
}

/**
 * Answers reused for the same question on the same summaries within SUMMARY_REUSE_MS (they are
 * then at most that old). At 5,000 workloads some answers take 50–110 ms to work out, and a
 * burst of 100 questions holds only a few distinct ones.
 */
const answers = new WeakMap<Fleet, Map<string, KnownAnswer>>();
const KNOWN_ANSWERS = 32;

function answerKey(query: Query, asOf: number | null): string {
  const { share: _share, ...asked } = query;
  return JSON.stringify([asked, asOf]);
}

function reusableAnswer(fleet: Fleet, key: string, appliances: readonly ApplianceSummary[], now: number): Answer | null {
  const known = answers.get(fleet)?.get(key);
  if (!known || now < known.now || now - known.now >= SUMMARY_REUSE_MS) return null;
  const same = known.appliances.length === appliances.length && known.appliances.every((appliance, index) => appliance === appliances[index]);
  return same ? known.answer : null;
}

function rememberAnswer(fleet: Fleet, key: string, known: KnownAnswer): void {
  let byKey = answers.get(fleet);
  if (!byKey) answers.set(fleet, (byKey = new Map()));
  byKey.delete(key);
  byKey.set(key, known);
  if (byKey.size > KNOWN_ANSWERS) byKey.delete(byKey.keys().next().value!);
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
