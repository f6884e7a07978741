/**
 * The query language of `/restorepoints …`, `@restorepoints …` and `restorepoints query …`:
 *
 *   help · stale · unprotected · failed · share · before TIME · in DESTINATION · on APPLIANCE · NAME…
 *
 * Keywords are case-insensitive and may come in any order; every other word is a workload name
 * filter. Parsing never fails: whatever is not understood becomes a `QueryProblem`, so the reply
 * can say what it skipped and show `help` instead of guessing.
 *
 * Pure: no clock, no I/O. Times the asker writes in their own zone stay as wall-clock fields
 * here and become instants only in `resolveTime`, which is given `now` and the zone.
 *
 * Problem words are as the asker typed them (HTML entities decoded), so they may hold `<`, `>`
 * or `&`: escape them before putting them in a Slack message.
 */

// From its own module: the package's index imports every date-fns function (about 1 s of start-up).
import { isExists } from 'date-fns/isExists';
import { parseDuration } from '../lib/duration.ts';
import type { TimeSpec } from './query-time.ts';

export type { TimeSpec } from './query-time.ts';

export interface Query {
  readonly help: boolean;
  readonly stale: boolean;
  /** The coverage list: VMs of the inventory without any restore point. */
  readonly unprotected: boolean;
  /** The failed and warning sessions of the failure window, with their reasons. */
  readonly failed: boolean;
  readonly share: boolean;
  /** Workload name filters (substring, case-insensitive), as typed, without duplicates. */
  readonly names: readonly string[];
  readonly before: TimeSpec | null;
  /** From `in DESTINATION`, as typed: matching is case-insensitive, elsewhere. */
  readonly destination: string | null;
  /** From `on APPLIANCE`, as typed. */
  readonly appliance: string | null;
  readonly problems: readonly QueryProblem[];
}

/** A word that was not used, and one short sentence saying why. */
export interface QueryProblem {
  readonly word: string;
  readonly reason: string;
}

/** Slash commands allow far more than anyone types; the caps bound the work hostile text can cause. */
export const MAX_QUERY_CHARS = 2000;
export const MAX_QUERY_WORDS = 50;
/** Azure names are at most 64–128 characters; anything much longer is not a name. */
const MAX_NAME_CHARS = 200;
/** Problem words are echoed back; keep a pasted wall of text from filling the reply. */
const MAX_PROBLEM_WORD_CHARS = 80;
/** Keeps `now − ms` well inside the range `Date` can represent and format. */
const MAX_AGO_MS = 100 * 365 * 86_400_000;
const MIN_YEAR = 1970;

const REASON = {
  time: '`before` needs a time such as 09:30, 2026-11-25 09:30, 2026-11-25T09:30+01:00 or 3h',
  destination: '`in` needs a destination such as Snapshot, AzureBlob or ManualSnapshot',
  appliance: '`on` needs the name of an appliance',
  hour: 'hours go from 0 to 23',
  minute: 'minutes go from 0 to 59',
  second: 'seconds go from 0 to 59',
  date: 'there is no such day in the calendar',
  year: `dates before ${MIN_YEAR} hold no restore points`,
  tooFar: 'that is more than 100 years ago',
  notAName: 'not a workload name: mentions, channels and links are ignored',
  longName: 'too long to be a workload name',
  longText: `only the first ${MAX_QUERY_CHARS} characters were read`,
  manyWords: `only the first ${MAX_QUERY_WORDS} words were read`,
  once: (keyword: string) => `only one \`${keyword}\` at a time`,
} as const;

const KEYWORDS = new Set(['help', 'stale', 'unprotected', 'failed', 'share', 'before', 'in', 'on']);

export function parseQuery(text: string): Query {
  const problems: QueryProblem[] = [];
  const problem = (word: string, reason: string): void => {
    problems.push({ word: shorten(word), reason });
  };

  const { words, cut, more } = splitWords(typeof text === 'string' ? text : '');
  if (cut !== null) problem(cut, REASON.longText);

  let help = false;
  let stale = false;
  let unprotected = false;
  let failed = false;
  let share = false;
  let before: TimeSpec | null = null;
  let destination: string | null = null;
  let appliance: string | null = null;
  const names: string[] = [];
  const seenNames = new Set<string>();

  // A value never comes from another keyword or a Slack entity: `in <!channel>` must not
  // smuggle a mention into the reply as a destination name.
  const valueAt = (index: number): string | null => {
    const word = words[index];
    return word === undefined || isKeyword(word) || isEntity(word) ? null : word;
  };

  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (isEntity(word)) {
      problem(word, REASON.notAName);
      continue;
    }
    switch (word.toLowerCase()) {
      case 'help':
        help = true;
        break;
      case 'stale':
        stale = true;
        break;
      case 'unprotected':
        unprotected = true;
        break;
      case 'failed':
        failed = true;
        break;
      case 'share':
        share = true;
        break;
      case 'before': {
        const read = readTime(words, i + 1, valueAt);
        const consumed = words.slice(i, i + 1 + read.consumed).join(' ');
        i += read.consumed;
        if ('reason' in read) problem(consumed, read.reason);
        else if (before !== null) problem(consumed, REASON.once('before'));
        else before = read.spec;
        break;
      }
      case 'in':
      case 'on': {
        const keyword = word.toLowerCase() as 'in' | 'on';
        const value = valueAt(i + 1);
        if (value === null) {
          problem(word, keyword === 'in' ? REASON.destination : REASON.appliance);
          break;
        }
        i += 1;
        const current = keyword === 'in' ? destination : appliance;
        if (current !== null) problem(`${word} ${value}`, REASON.once(keyword));
        else if (keyword === 'in') destination = value;
        else appliance = value;
        break;
      }
      default: {
        if (word.length > MAX_NAME_CHARS) {
          problem(word, REASON.longName);
          break;
        }
        const key = word.toLowerCase();
        if (!seenNames.has(key)) {
          seenNames.add(key);
          names.push(word);
        }
      }
    }
  }
  if (more !== null) problem(more, REASON.manyWords);

  return { help, stale, unprotected, failed, share, names, before, destination, appliance, problems };
}

// ---------------------------------------------------------------------------------------------
// Words

interface Words {
  readonly words: readonly string[];
  /** The start of what was cut off by the character cap, or null. */
  readonly cut: string | null;
  /** The first word past the word cap, or null. */
  readonly more: string | null;
}

/**
 * A word is a run of non-space characters, except that a Slack entity `<…>` (a mention, a
 * channel, a link with a label) is kept whole even when it holds spaces, so that no part of it
 * can pass for a name. Entities are found before decoding: what the asker typed as `<` arrives
 * as `&lt;` and only becomes `<` afterwards, where `isEntity` still rejects it.
 */
const WORD = /(?:<[^<>]*>|[^\s<]|<)+/g;

function splitWords(text: string): Words {
  let kept = text;
  let cut: string | null = null;
  if (text.length > MAX_QUERY_CHARS) {
    const rest = text.slice(MAX_QUERY_CHARS);
    kept = text.slice(0, MAX_QUERY_CHARS);
    // A word split by the cap would filter on a fragment: drop it with the rest.
    if (/^\S/.test(rest)) kept = kept.replace(/\S+$/, '');
    const lost = text.slice(kept.length).trim();
    if (lost !== '') cut = `${lost.slice(0, 20)}…`;
  }
  const words: string[] = [];
  let more: string | null = null;
  for (const match of kept.matchAll(WORD)) {
    if (words.length === MAX_QUERY_WORDS) {
      more = decodeEntities(match[0]);
      break;
    }
    words.push(decodeEntities(match[0]));
  }
  return { words, cut, more };
}

/** Slack escapes exactly these three in user text; one pass, so `&amp;lt;` stays `&lt;`. */
function decodeEntities(word: string): string {
  return word.replace(/&(amp|lt|gt);/g, (_, name: string) => (name === 'amp' ? '&' : name === 'lt' ? '<' : '>'));
}

/** Mentions, channels, links, `<!channel>`: never a name or a value, however they arrived. */
function isEntity(word: string): boolean {
  return word.includes('<') || word.includes('>');
}

function isKeyword(word: string): boolean {
  return KEYWORDS.has(word.toLowerCase());
}

function shorten(word: string): string {
  const chars = Array.from(word);
  const short = chars.length > MAX_PROBLEM_WORD_CHARS ? `${chars.slice(0, MAX_PROBLEM_WORD_CHARS).join('')}…` : word;
  return short === '' ? '…' : short;
}

// ---------------------------------------------------------------------------------------------
// Times

type TimeRead = { readonly consumed: number } & ({ readonly spec: TimeSpec } | { readonly reason: string });

const BARE_DATE = /^\d{4}-\d{2}-\d{2}$/;
const LOOKS_LIKE_CLOCK = /^\d{1,2}:\d/;
const CLOCK = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/** The time after `before`: one word, or a date and a clock time written with a space. */
function readTime(words: readonly string[], start: number, valueAt: (index: number) => string | null): TimeRead {
  const first = valueAt(start);
  if (first === null) return { consumed: 0, reason: REASON.time };
  const second = valueAt(start + 1);
  // Only a word shaped like a clock joins the date: `before 2026-11-25 vm-sql-01` is a whole
  // day and a name, while `before 2026-11-25 25:00` is a bad time, not a name "25:00".
  if (BARE_DATE.test(first) && second !== null && LOOKS_LIKE_CLOCK.test(second)) {
    return { consumed: 2, ...parseTime(`${first}T${second}`) };
  }
  return { consumed: 1, ...parseTime(first) };
}

function parseTime(word: string): { readonly spec: TimeSpec } | { readonly reason: string } {
  const ms = parseDuration(word);
  if (ms !== null) return ms > MAX_AGO_MS ? { reason: REASON.tooFar } : { spec: { kind: 'ago', ms } };

  const clock = CLOCK.exec(word);
  if (clock) {
    const hour = Number(clock[1]);
    const minute = Number(clock[2]);
    const second = toNumber(clock[3]);
    const bad = checkClock(hour, minute, second ?? 0);
    if (bad) return { reason: bad };
    return { spec: second === null ? { kind: 'clock', hour, minute } : { kind: 'clock', hour, minute, second } };
  }

  const date = DATE.exec(word);
  if (date) {
    const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
    const bad = checkDate(year, month, day);
    if (bad) return { reason: bad };
    return { spec: { kind: 'local', year, month, day, hour: 23, minute: 59, second: 59, millisecond: 999 } };
  }

  const full = DATE_TIME.exec(word);
  if (full) {
    const [year, month, day] = [Number(full[1]), Number(full[2]), Number(full[3])];
    const [hour, minute] = [Number(full[4]), Number(full[5])];
    const second = toNumber(full[6]) ?? 0;
    // Beyond milliseconds the digits cannot matter to a restore point's time.
    const millisecond = full[7] === undefined ? 0 : Number(full[7].slice(0, 3).padEnd(3, '0'));
    const bad = checkDate(year, month, day) ?? checkClock(hour, minute, second);
    if (bad) return { reason: bad };

    if (full[8] === undefined && full[9] === undefined) {
      return { spec: { kind: 'local', year, month, day, hour, minute, second, millisecond } };
    }
    let offsetMinutes = 0;
    if (full[9] !== undefined) {
      const offsetHour = Number(full[10]);
      const offsetMinute = toNumber(full[11]) ?? 0;
      const badOffset = checkClock(offsetHour, offsetMinute, 0);
      if (badOffset) return { reason: badOffset };
      offsetMinutes = (full[9] === '-' ? -1 : 1) * (offsetHour * 60 + offsetMinute);
    }
    const at = Date.UTC(year, month - 1, day, hour, minute, second, millisecond) - offsetMinutes * 60_000;
    return { spec: { kind: 'instant', at } };
  }

  return { reason: REASON.time };
}

function toNumber(digits: string | undefined): number | null {
  return digits === undefined ? null : Number(digits);
}

function checkClock(hour: number, minute: number, second: number): string | null {
  if (hour > 23) return REASON.hour;
  if (minute > 59) return REASON.minute;
  if (second > 59) return REASON.second;
  return null;
}

function checkDate(year: number, month: number, day: number): string | null {
  if (year < MIN_YEAR) return REASON.year;
  if (!isExists(year, month - 1, day)) return REASON.date;
  return null;
}
