/**
 * From the words someone typed to an answer: parse, resolve times in the asker's zone, read the
 * appliances (as of that time if asked), and decide what to show. Shared by the slash command,
 * mentions and `restorepoints query`; each only supplies how to learn the asker's time zone.
 */
import { summaryOf, type Fleet } from './fleet.ts';
import { answerQuery, type Answer } from '../restore-points/answer.ts';
import { parseQuery, type Query } from '../restore-points/query.ts';
import { needsTimeZone, resolveTime } from '../restore-points/query-time.ts';

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
  const asOf = query.before === null ? null : resolveTime(query.before, now, needsTimeZone(query.before) ? await context.timeZone() : 'UTC');
  const readings = await context.fleet.readAll(asOf, { waitMs: context.waitMs ?? ANSWER_WAIT_MS, readOn: context.readOn ?? true });
  const summary = summaryOf(readings, asOf ?? now, now);
  return { query, answer: answerQuery(query, summary, { now, asOf }) };
}
