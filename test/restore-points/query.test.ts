import { TZDate } from '@date-fns/tz';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_QUERY_CHARS, MAX_QUERY_WORDS, parseQuery, type Query } from '../../src/restore-points/query.ts';
import { needsTimeZone, resolveTime, type TimeSpec } from '../../src/restore-points/query-time.ts';

const at = (iso: string): number => Date.parse(iso);
/** Thursday 2026-11-26, 11:00 in Berlin, 02:00 in Los Angeles, 15:30 in Kolkata. */
const NOW = at('2026-11-26T10:00:00Z');

const TIME_REASON = '`before` needs a time such as 09:30, 2026-11-25 09:30, 2026-11-25T09:30+01:00 or 3h';
const NOT_A_NAME = 'not a workload name: mentions, channels and links are ignored';

const EMPTY: Query = {
  help: false,
  stale: false,
  unprotected: false,
  failed: false,
  share: false,
  names: [],
  before: null,
  destination: null,
  appliance: null,
  problems: [],
};

const q = (overrides: Partial<Query>): Query => ({ ...EMPTY, ...overrides });

/** The `before` of a query that must have parsed cleanly. */
function beforeOf(text: string): TimeSpec {
  const query = parseQuery(text);
  expect(query.problems).toEqual([]);
  expect(query.before).not.toBeNull();
  return query.before!;
}

const iso = (ms: number): string => new Date(ms).toISOString();

describe('parseQuery: keywords', () => {
  it.each(['', '   ', '\n\t '])('reads %j as the empty query (the summary of everything)', (text) => {
    expect(parseQuery(text)).toEqual(EMPTY);
  });

  it.each([
    ['help', q({ help: true })],
    ['stale', q({ stale: true })],
    ['unprotected', q({ unprotected: true })],
    ['FAILED', q({ failed: true })],
    ['share', q({ share: true })],
    ['before 3h', q({ before: { kind: 'ago', ms: 3 * 3_600_000 } })],
    ['in Snapshot', q({ destination: 'Snapshot' })],
    ['on westeurope', q({ appliance: 'westeurope' })],
    ['vm-sql-01', q({ names: ['vm-sql-01'] })],
  ])('reads %j alone', (text, expected) => {
    expect(parseQuery(text)).toEqual(expected);
  });

  it.each(['HELP', 'Help', 'hElP'])('matches keywords case-insensitively: %s', (word) => {
    expect(parseQuery(word)).toEqual(q({ help: true }));
  });

  it('matches every keyword case-insensitively, keeping values as typed', () => {
    expect(parseQuery('STALE Share BEFORE 90M IN AzureBlob On WestEurope')).toEqual(
      q({ stale: true, share: true, before: { kind: 'ago', ms: 90 * 60_000 }, destination: 'AzureBlob', appliance: 'WestEurope' }),
    );
  });

  it('reads keywords in any order', () => {
    const expected = q({
      share: true,
      names: ['vm-sql-01'],
      before: { kind: 'clock', hour: 9, minute: 30 },
      destination: 'snapshot',
    });
    expect(parseQuery('vm-sql-01 before 09:30 in snapshot share')).toEqual(expected);
    expect(parseQuery('share in snapshot before 09:30 vm-sql-01')).toEqual(expected);
    expect(parseQuery('in snapshot vm-sql-01 share before 09:30')).toEqual(expected);
  });

  it('reads `share stale in AzureBlob`', () => {
    expect(parseQuery('share stale in AzureBlob')).toEqual(q({ share: true, stale: true, destination: 'AzureBlob' }));
  });

  it('reads everything at once', () => {
    expect(parseQuery('help stale share vm-a before 2026-11-25 09:30 in Snapshot on weu vm-b')).toEqual(
      q({
        help: true,
        stale: true,
        share: true,
        names: ['vm-a', 'vm-b'],
        before: { kind: 'local', year: 2026, month: 11, day: 25, hour: 9, minute: 30, second: 0, millisecond: 0 },
        destination: 'Snapshot',
        appliance: 'weu',
      }),
    );
  });

  it('splits on any whitespace: tabs, newlines, repeated and non-breaking spaces', () => {
    expect(parseQuery(' vm-a\tstale\n\nin\u00a0Snapshot   vm-b\r\n')).toEqual(
      q({ stale: true, names: ['vm-a', 'vm-b'], destination: 'Snapshot' }),
    );
  });

  it('lets repeated flags be: `stale stale` is still just stale', () => {
    expect(parseQuery('stale STALE share share help help')).toEqual(q({ stale: true, share: true, help: true }));
  });
});

describe('parseQuery: names', () => {
  it('keeps every other word as a name filter, as typed', () => {
    expect(parseQuery('VM-SQL-01 web_02 db.prod')).toEqual(q({ names: ['VM-SQL-01', 'web_02', 'db.prod'] }));
  });

  it('drops a repeated name, whatever its case, keeping the first spelling', () => {
    expect(parseQuery('VM vm Vm sql')).toEqual(q({ names: ['VM', 'sql'] }));
  });

  it('keeps unknown words as names (the reply then says nothing matched)', () => {
    expect(parseQuery('tomorrow please').names).toEqual(['tomorrow', 'please']);
  });

  it('does not take a name that is far too long for any Azure resource', () => {
    const long = 'a'.repeat(201);
    const query = parseQuery(`vm ${long}`);
    expect(query.names).toEqual(['vm']);
    expect(query.problems).toEqual([{ word: `${'a'.repeat(80)}…`, reason: 'too long to be a workload name' }]);
    expect(parseQuery('a'.repeat(200)).names).toEqual(['a'.repeat(200)]);
  });
});

describe('parseQuery: Slack escaping and entities', () => {
  it('decodes &amp;, &lt; and &gt; in one pass', () => {
    expect(parseQuery('a&amp;b').names).toEqual(['a&b']);
    // `&amp;lt;` is what Slack sends for a typed `&lt;`: it must not turn into `<`.
    expect(parseQuery('&amp;lt;')).toEqual(q({ names: ['&lt;'] }));
    expect(parseQuery('in R&amp;D').destination).toBe('R&D');
  });

  it.each(['<!channel>', '<!here>', '<!everyone>', '<@U123>', '<@U123|alice>', '<#C123|general>', '<!subteam^S123>'])(
    'never takes %s as a name',
    (token) => {
      expect(parseQuery(`vm ${token}`)).toEqual(q({ names: ['vm'], problems: [{ word: token, reason: NOT_A_NAME }] }));
    },
  );

  it('keeps a link with a spaced label whole, so no part of it becomes a name', () => {
    expect(parseQuery('<https://example.com|click me now> vm')).toEqual(
      q({ names: ['vm'], problems: [{ word: '<https://example.com|click me now>', reason: NOT_A_NAME }] }),
    );
  });

  it('rejects an escaped `<!channel>` typed by the user', () => {
    expect(parseQuery('&lt;!channel&gt;')).toEqual(q({ problems: [{ word: '<!channel>', reason: NOT_A_NAME }] }));
  });

  it('rejects a mention glued to a name', () => {
    expect(parseQuery('vm<!here>')).toEqual(q({ problems: [{ word: 'vm<!here>', reason: NOT_A_NAME }] }));
    expect(parseQuery('vm&gt;x').problems).toEqual([{ word: 'vm>x', reason: NOT_A_NAME }]);
  });

  it('handles an unclosed `<` without swallowing the rest', () => {
    expect(parseQuery('<abc def')).toEqual(q({ names: ['def'], problems: [{ word: '<abc', reason: NOT_A_NAME }] }));
  });

  it.each([
    ['in <!channel>', 'in', '`in` needs a destination such as Snapshot, AzureBlob or ManualSnapshot'],
    ['on <@U1>', 'on', '`on` needs the name of an appliance'],
    ['before <!here>', 'before', TIME_REASON],
  ])('never takes an entity as a value: %s', (text, keyword, reason) => {
    const entity = text.split(' ')[1]!;
    expect(parseQuery(text)).toEqual(
      q({
        problems: [
          { word: keyword, reason },
          { word: entity, reason: NOT_A_NAME },
        ],
      }),
    );
  });
});

describe('parseQuery: in and on', () => {
  it.each([
    ['in', '`in` needs a destination such as Snapshot, AzureBlob or ManualSnapshot'],
    ['on', '`on` needs the name of an appliance'],
  ])('reports `%s` with nothing after it', (keyword, reason) => {
    expect(parseQuery(`vm ${keyword}`)).toEqual(q({ names: ['vm'], problems: [{ word: keyword, reason }] }));
    expect(parseQuery(`vm ${keyword.toUpperCase()}`).problems).toEqual([{ word: keyword.toUpperCase(), reason }]);
  });

  it('does not take a keyword as a destination or appliance', () => {
    expect(parseQuery('in stale')).toEqual(
      q({ stale: true, problems: [{ word: 'in', reason: '`in` needs a destination such as Snapshot, AzureBlob or ManualSnapshot' }] }),
    );
    expect(parseQuery('on share')).toEqual(
      q({ share: true, problems: [{ word: 'on', reason: '`on` needs the name of an appliance' }] }),
    );
    expect(parseQuery('in on weu').appliance).toBe('weu');
  });

  it('reports a second `in` and keeps the first', () => {
    expect(parseQuery('in Snapshot in AzureBlob')).toEqual(
      q({ destination: 'Snapshot', problems: [{ word: 'in AzureBlob', reason: 'only one `in` at a time' }] }),
    );
  });

  it('reports a second `on` and keeps the first', () => {
    expect(parseQuery('on weu vm ON neu')).toEqual(
      q({ names: ['vm'], appliance: 'weu', problems: [{ word: 'ON neu', reason: 'only one `on` at a time' }] }),
    );
  });

  it('reads `in` and `on` together', () => {
    expect(parseQuery('on weu in ManualSnapshot')).toEqual(q({ appliance: 'weu', destination: 'ManualSnapshot' }));
  });
});

describe('parseQuery: before', () => {
  describe('clock times', () => {
    it.each([
      ['09:30', { kind: 'clock', hour: 9, minute: 30 }],
      ['9:30', { kind: 'clock', hour: 9, minute: 30 }],
      ['0:00', { kind: 'clock', hour: 0, minute: 0 }],
      ['23:59', { kind: 'clock', hour: 23, minute: 59 }],
      ['09:30:15', { kind: 'clock', hour: 9, minute: 30, second: 15 }],
    ])('%s', (word, spec) => expect(beforeOf(`before ${word}`)).toEqual(spec));

    it.each([
      ['24:00', 'hours go from 0 to 23'],
      ['25:61', 'hours go from 0 to 23'],
      ['09:60', 'minutes go from 0 to 59'],
      ['09:30:60', 'seconds go from 0 to 59'],
      ['9:5', TIME_REASON],
      ['123:00', TIME_REASON],
      ['9am', TIME_REASON],
      ['09.30', TIME_REASON],
    ])('rejects %s', (word, reason) => {
      expect(parseQuery(`vm before ${word}`)).toEqual(q({ names: ['vm'], problems: [{ word: `before ${word}`, reason }] }));
    });
  });

  describe('dates and local date-times', () => {
    it('reads a bare date as the end of that day', () => {
      expect(beforeOf('before 2026-11-25')).toEqual({
        kind: 'local',
        year: 2026,
        month: 11,
        day: 25,
        hour: 23,
        minute: 59,
        second: 59,
        millisecond: 999,
      });
    });

    it.each([
      ['2026-11-25 09:30', 9, 30, 0, 0],
      ['2026-11-25 9:30', 9, 30, 0, 0],
      ['2026-11-25T09:30', 9, 30, 0, 0],
      ['2026-11-25t09:30', 9, 30, 0, 0],
      ['2026-11-25T09:30:15', 9, 30, 15, 0],
      ['2026-11-25T09:30:15.25', 9, 30, 15, 250],
      ['2026-11-25T09:30:15.123456789', 9, 30, 15, 123],
      ['2026-11-25 09:30:15', 9, 30, 15, 0],
    ])('%s', (text, hour, minute, second, millisecond) => {
      expect(beforeOf(`before ${text}`)).toEqual({ kind: 'local', year: 2026, month: 11, day: 25, hour, minute, second, millisecond });
    });

    it('takes a date alone when the next word is not a clock time', () => {
      const query = parseQuery('before 2026-11-25 vm-sql-01');
      expect(query.before).toMatchObject({ kind: 'local', day: 25, hour: 23, minute: 59 });
      expect(query.names).toEqual(['vm-sql-01']);
      expect(query.problems).toEqual([]);
    });

    it('takes a date alone when a keyword follows', () => {
      expect(parseQuery('before 2026-11-25 in Snapshot')).toMatchObject({ destination: 'Snapshot', problems: [] });
    });

    it.each([
      ['2026-02-30', 'there is no such day in the calendar'],
      ['2026-02-29', 'there is no such day in the calendar'],
      ['2026-04-31', 'there is no such day in the calendar'],
      ['2026-13-01', 'there is no such day in the calendar'],
      ['2026-00-10', 'there is no such day in the calendar'],
      ['2026-11-00', 'there is no such day in the calendar'],
      ['1969-12-31', 'dates before 1970 hold no restore points'],
      ['0001-01-01', 'dates before 1970 hold no restore points'],
      ['2026-11-25T24:00', 'hours go from 0 to 23'],
      ['2026-11-25T09:75', 'minutes go from 0 to 59'],
      ['2026-02-30T09:30', 'there is no such day in the calendar'],
      ['2026-11-25T09:30+24:00', 'hours go from 0 to 23'],
      ['2026-11-25T09:30+01:60', 'minutes go from 0 to 59'],
      ['26-11-25', TIME_REASON],
      ['2026/11/25', TIME_REASON],
      ['2026-11-25T', TIME_REASON],
      ['2026-11-25T09:30+1', TIME_REASON],
    ])('rejects %s', (word, reason) => {
      expect(parseQuery(`before ${word}`)).toEqual(q({ problems: [{ word: `before ${word}`, reason }] }));
    });

    it('accepts 29 February in a leap year', () => {
      expect(beforeOf('before 2028-02-29')).toMatchObject({ kind: 'local', year: 2028, month: 2, day: 29 });
    });

    it('consumes a bad clock time after a date instead of taking it as a name', () => {
      expect(parseQuery('before 2026-11-25 25:00 vm')).toEqual(
        q({ names: ['vm'], problems: [{ word: 'before 2026-11-25 25:00', reason: 'hours go from 0 to 23' }] }),
      );
      expect(parseQuery('before 2026-02-30 09:30')).toEqual(
        q({ problems: [{ word: 'before 2026-02-30 09:30', reason: 'there is no such day in the calendar' }] }),
      );
      expect(parseQuery('before 2026-11-25 9:30pm').problems).toEqual([{ word: 'before 2026-11-25 9:30pm', reason: TIME_REASON }]);
    });
  });

  describe('instants', () => {
    it.each([
      ['2026-11-25T09:30:00+01:00', '2026-11-25T08:30:00.000Z'],
      ['2026-11-25T08:30Z', '2026-11-25T08:30:00.000Z'],
      ['2026-11-25T08:30z', '2026-11-25T08:30:00.000Z'],
      ['2026-11-25T08:30:00.123Z', '2026-11-25T08:30:00.123Z'],
      ['2026-11-25T09:30:00.5+0100', '2026-11-25T08:30:00.500Z'],
      ['2026-11-25T03:30-05', '2026-11-25T08:30:00.000Z'],
      ['2026-11-25T14:00+05:30', '2026-11-25T08:30:00.000Z'],
      ['2026-11-25T00:30-08:00', '2026-11-25T08:30:00.000Z'],
      ['2026-11-25 09:30+01:00', '2026-11-25T08:30:00.000Z'],
      ['2026-11-25 08:30Z', '2026-11-25T08:30:00.000Z'],
      ['2026-11-25T23:30-01:00', '2026-11-26T00:30:00.000Z'],
    ])('%s is %s', (text, expected) => {
      expect(beforeOf(`before ${text}`)).toEqual({ kind: 'instant', at: at(expected) });
    });
  });

  describe('durations ago', () => {
    it.each([
      ['90m', 90 * 60_000],
      ['3h', 3 * 3_600_000],
      ['2d', 2 * 86_400_000],
      ['1d12h', 36 * 3_600_000],
      ['1w', 7 * 86_400_000],
      ['60s', 60_000],
      ['0s', 0],
      ['3H', 3 * 3_600_000],
      ['36500d', 36_500 * 86_400_000],
    ])('%s', (word, ms) => expect(beforeOf(`before ${word}`)).toEqual({ kind: 'ago', ms }));

    it('refuses a duration that reaches back more than a century', () => {
      expect(parseQuery('before 36501d').problems).toEqual([{ word: 'before 36501d', reason: 'that is more than 100 years ago' }]);
      expect(parseQuery('before 99999999999999999999d').problems).toEqual([
        { word: 'before 99999999999999999999d', reason: TIME_REASON },
      ]);
    });

    it.each(['3', '-3h', '3.5h', 'h', 'tomorrow', 'yesterday'])('rejects %s', (word) => {
      expect(parseQuery(`before ${word}`)).toEqual(q({ problems: [{ word: `before ${word}`, reason: TIME_REASON }] }));
    });
  });

  describe('missing and repeated', () => {
    it('reports `before` at the end', () => {
      expect(parseQuery('vm before')).toEqual(q({ names: ['vm'], problems: [{ word: 'before', reason: TIME_REASON }] }));
    });

    it.each([
      ['before in Snapshot', q({ destination: 'Snapshot', problems: [{ word: 'before', reason: TIME_REASON }] })],
      ['before share', q({ share: true, problems: [{ word: 'before', reason: TIME_REASON }] })],
      ['Before Before 3h', q({ before: { kind: 'ago', ms: 3 * 3_600_000 }, problems: [{ word: 'Before', reason: TIME_REASON }] })],
    ])('does not take a keyword as the time: %s', (text, expected) => {
      expect(parseQuery(text)).toEqual(expected);
    });

    it('consumes an unparsable time word rather than making it a name', () => {
      expect(parseQuery('before vm-sql-01')).toEqual(q({ problems: [{ word: 'before vm-sql-01', reason: TIME_REASON }] }));
    });

    it('reports a second `before` and keeps the first', () => {
      expect(parseQuery('before 1h vm BEFORE 2026-11-25 09:30')).toEqual(
        q({
          names: ['vm'],
          before: { kind: 'ago', ms: 3_600_000 },
          problems: [{ word: 'BEFORE 2026-11-25 09:30', reason: 'only one `before` at a time' }],
        }),
      );
    });

    it('reports a bad second `before` for what is wrong with it', () => {
      expect(parseQuery('before 1h before 2026-02-30').problems).toEqual([
        { word: 'before 2026-02-30', reason: 'there is no such day in the calendar' },
      ]);
    });

    it('keeps a good `before` after a bad one', () => {
      expect(parseQuery('before nonsense before 3h')).toEqual(
        q({ before: { kind: 'ago', ms: 3 * 3_600_000 }, problems: [{ word: 'before nonsense', reason: TIME_REASON }] }),
      );
    });
  });
});

describe('parseQuery: hostile input', () => {
  it(`reads at most ${MAX_QUERY_WORDS} words and says so once`, () => {
    const words = Array.from({ length: 60 }, (_, i) => `w${i + 1}`);
    const query = parseQuery(words.join(' '));
    expect(query.names).toEqual(words.slice(0, MAX_QUERY_WORDS));
    expect(query.problems).toEqual([{ word: 'w51', reason: `only the first ${MAX_QUERY_WORDS} words were read` }]);
  });

  it('counts keywords and their values as words', () => {
    const query = parseQuery(`${'x '.repeat(49)}before 3h`);
    expect(query.before).toBeNull();
    expect(query.problems).toEqual([
      { word: 'before', reason: TIME_REASON },
      { word: '3h', reason: `only the first ${MAX_QUERY_WORDS} words were read` },
    ]);
  });

  it(`cuts text after ${MAX_QUERY_CHARS} characters and says so once`, () => {
    const query = parseQuery(`stale ${'x'.repeat(5000)} share`);
    expect(query.stale).toBe(true);
    expect(query.share).toBe(false);
    expect(query.names).toEqual([]);
    expect(query.problems).toEqual([{ word: `${'x'.repeat(20)}…`, reason: `only the first ${MAX_QUERY_CHARS} characters were read` }]);
  });

  it('drops a word split by the cut rather than filtering on a fragment', () => {
    const query = parseQuery(`${' '.repeat(MAX_QUERY_CHARS - 4)}vm-sql-01`);
    expect(query.names).toEqual([]);
    expect(query.problems).toEqual([{ word: 'vm-sql-01…', reason: `only the first ${MAX_QUERY_CHARS} characters were read` }]);
  });

  it('keeps a word that ends exactly at the cut', () => {
    const query = parseQuery(`${' '.repeat(MAX_QUERY_CHARS - 9)}vm-sql-01 vm-other`);
    expect(query.names).toEqual(['vm-sql-01']);
    expect(query.problems).toHaveLength(1);
  });

  it('says nothing when only whitespace was cut', () => {
    expect(parseQuery(`stale${' '.repeat(10_000)}`)).toEqual(q({ stale: true }));
  });

  it('answers a megabyte of text quickly, and bounded', () => {
    for (const text of ['a'.repeat(1_000_000), '<'.repeat(1_000_000), '&lt;'.repeat(250_000), 'a '.repeat(500_000), '< a '.repeat(250_000)]) {
      const started = performance.now();
      const query = parseQuery(text);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(query.names.length).toBeLessThanOrEqual(MAX_QUERY_WORDS);
      expect(query.problems.length).toBeLessThanOrEqual(MAX_QUERY_WORDS + 2);
    }
  });

  it('shortens long problem words', () => {
    const query = parseQuery(`<${'x'.repeat(300)}>`);
    expect(query.problems).toEqual([{ word: `<${'x'.repeat(79)}…`, reason: NOT_A_NAME }]);
  });

  it('does not split a surrogate pair when shortening', () => {
    const query = parseQuery(`<${'😀'.repeat(100)}>`);
    expect(query.problems[0]!.word).toBe(`<${'😀'.repeat(79)}…`);
  });
});

describe('needsTimeZone', () => {
  it.each<[TimeSpec, boolean]>([
    [{ kind: 'instant', at: NOW }, false],
    [{ kind: 'ago', ms: 0 }, false],
    [{ kind: 'clock', hour: 9, minute: 30 }, true],
    [{ kind: 'local', year: 2026, month: 11, day: 25, hour: 9, minute: 30 }, true],
  ])('%j → %s', (spec, expected) => expect(needsTimeZone(spec)).toBe(expected));
});

describe('resolveTime', () => {
  const resolve = (text: string, timeZone: string, now = NOW): string => iso(resolveTime(beforeOf(`before ${text}`), now, timeZone));

  it('returns an instant as it is, in any zone', () => {
    for (const zone of ['UTC', 'Europe/Berlin', 'Asia/Kolkata', 'Not/AZone']) {
      expect(resolve('2026-11-25T09:30+01:00', zone)).toBe('2026-11-25T08:30:00.000Z');
    }
  });

  it('subtracts a duration from now', () => {
    expect(resolve('90m', 'Europe/Berlin')).toBe('2026-11-26T08:30:00.000Z');
    expect(resolve('1d12h', 'America/Los_Angeles')).toBe('2026-11-24T22:00:00.000Z');
    expect(resolve('0s', 'UTC')).toBe(iso(NOW));
  });

  it('reads a duration across a DST change as elapsed time, not wall time', () => {
    expect(resolve('24h', 'Europe/Berlin', at('2026-10-25T12:00:00Z'))).toBe('2026-10-24T12:00:00.000Z');
  });

  describe('local date-times', () => {
    it.each([
      ['Europe/Berlin', '2026-11-25T08:30:00.000Z'],
      ['America/Los_Angeles', '2026-11-25T17:30:00.000Z'],
      ['Asia/Kolkata', '2026-11-25T04:00:00.000Z'],
      ['UTC', '2026-11-25T09:30:00.000Z'],
    ])('2026-11-25 09:30 in %s is %s', (zone, expected) => {
      expect(resolve('2026-11-25 09:30', zone)).toBe(expected);
    });

    it.each([
      ['Europe/Berlin', '2026-11-25T22:59:59.999Z'],
      ['America/Los_Angeles', '2026-11-26T07:59:59.999Z'],
      ['Asia/Kolkata', '2026-11-25T18:29:59.999Z'],
    ])('a bare date in %s ends at %s', (zone, expected) => {
      expect(resolve('2026-11-25', zone)).toBe(expected);
    });

    it('keeps seconds and milliseconds', () => {
      expect(resolve('2026-11-25T09:30:15.250', 'Asia/Kolkata')).toBe('2026-11-25T04:00:15.250Z');
    });

    it('resolves a local spec built without seconds', () => {
      const spec: TimeSpec = { kind: 'local', year: 2026, month: 11, day: 25, hour: 9, minute: 30 };
      expect(iso(resolveTime(spec, NOW, 'Europe/Berlin'))).toBe('2026-11-25T08:30:00.000Z');
    });
  });

  describe('clock times: the latest occurrence not after now', () => {
    it.each([
      // Berlin: now is 11:00 CET.
      ['09:30', 'Europe/Berlin', '2026-11-26T08:30:00.000Z'],
      ['11:00', 'Europe/Berlin', '2026-11-26T10:00:00.000Z'],
      ['11:01', 'Europe/Berlin', '2026-11-25T10:01:00.000Z'],
      ['23:00', 'Europe/Berlin', '2026-11-25T22:00:00.000Z'],
      ['0:00', 'Europe/Berlin', '2026-11-25T23:00:00.000Z'],
      // Los Angeles: now is 02:00 PST, still the 26th there.
      ['01:30', 'America/Los_Angeles', '2026-11-26T09:30:00.000Z'],
      ['09:30', 'America/Los_Angeles', '2026-11-25T17:30:00.000Z'],
      ['23:59', 'America/Los_Angeles', '2026-11-26T07:59:00.000Z'],
      // Kolkata: now is 15:30 IST.
      ['15:30', 'Asia/Kolkata', '2026-11-26T10:00:00.000Z'],
      ['15:31', 'Asia/Kolkata', '2026-11-25T10:01:00.000Z'],
      ['09:30', 'Asia/Kolkata', '2026-11-26T04:00:00.000Z'],
      ['00:00', 'Asia/Kolkata', '2026-11-25T18:30:00.000Z'],
      ['15:29:59', 'Asia/Kolkata', '2026-11-26T09:59:59.000Z'],
      // UTC.
      ['09:30', 'UTC', '2026-11-26T09:30:00.000Z'],
      ['10:30', 'UTC', '2026-11-25T10:30:00.000Z'],
    ])('%s in %s is %s', (clock, zone, expected) => {
      expect(resolve(clock, zone)).toBe(expected);
    });

    it('finds the date in the asker\'s zone, not in UTC', () => {
      // 23:30Z on the 25th is already the 26th in Kolkata (05:00 IST).
      const now = at('2026-11-25T23:30:00Z');
      expect(resolve('04:00', 'Asia/Kolkata', now)).toBe('2026-11-25T22:30:00.000Z');
      expect(resolve('06:00', 'Asia/Kolkata', now)).toBe('2026-11-25T00:30:00.000Z');
    });
  });

  describe('unusable zones fall back to UTC', () => {
    it.each(['', 'Not/AZone', 'Europe/Berlinn', 'Bad Zone', 'x'.repeat(10_000), '+99:99'])('%j', (zone) => {
      expect(resolve('09:30', zone)).toBe('2026-11-26T09:30:00.000Z');
      expect(resolve('2026-11-25 09:30', zone)).toBe('2026-11-25T09:30:00.000Z');
    });

    it('accepts a zone name in any case, as Intl does', () => {
      expect(resolve('09:30', 'europe/berlin')).toBe('2026-11-26T08:30:00.000Z');
    });
  });

  describe('Europe/Berlin spring forward, 2026-03-29 (02:00 CET → 03:00 CEST at 01:00Z)', () => {
    it('reads times either side of the gap with their own offset', () => {
      expect(resolve('2026-03-29 01:30', 'Europe/Berlin')).toBe('2026-03-29T00:30:00.000Z');
      expect(resolve('2026-03-29 03:30', 'Europe/Berlin')).toBe('2026-03-29T01:30:00.000Z');
    });

    it('reads a time in the gap with the offset before it (03:30 CEST), as TZDate does on a UTC host', () => {
      expect(resolve('2026-03-29 02:30', 'Europe/Berlin')).toBe('2026-03-29T01:30:00.000Z');
      expect(resolve('2026-03-29 02:00', 'Europe/Berlin')).toBe('2026-03-29T01:00:00.000Z');
      expect(resolve('2026-03-29 02:59', 'Europe/Berlin')).toBe('2026-03-29T01:59:00.000Z');
    });

    it('ends the short day at 23:59:59.999 CEST', () => {
      expect(resolve('2026-03-29', 'Europe/Berlin')).toBe('2026-03-29T21:59:59.999Z');
      expect(resolve('2026-03-28', 'Europe/Berlin')).toBe('2026-03-28T22:59:59.999Z');
    });

    it('resolves a clock time in the gap once the shifted instant has passed', () => {
      expect(resolve('02:30', 'Europe/Berlin', at('2026-03-29T05:00:00Z'))).toBe('2026-03-29T01:30:00.000Z');
    });

    it('goes back to yesterday while the shifted instant is still ahead', () => {
      expect(resolve('02:30', 'Europe/Berlin', at('2026-03-29T01:10:00Z'))).toBe('2026-03-28T01:30:00.000Z');
    });

    it('uses summer time for later clock times that day', () => {
      expect(resolve('09:30', 'Europe/Berlin', at('2026-03-29T10:00:00Z'))).toBe('2026-03-29T07:30:00.000Z');
      expect(resolve('09:30', 'Europe/Berlin', at('2026-03-29T07:00:00Z'))).toBe('2026-03-28T08:30:00.000Z');
    });
  });

  describe('Europe/Berlin fall back, 2026-10-25 (03:00 CEST → 02:00 CET at 01:00Z)', () => {
    it('reads a repeated wall time as its later occurrence, so that `before` covers both', () => {
      expect(resolve('2026-10-25 02:30', 'Europe/Berlin')).toBe('2026-10-25T01:30:00.000Z');
      expect(resolve('2026-10-25 02:00', 'Europe/Berlin')).toBe('2026-10-25T01:00:00.000Z');
      expect(resolve('2026-10-25 01:30', 'Europe/Berlin')).toBe('2026-10-24T23:30:00.000Z');
      expect(resolve('2026-10-25 03:30', 'Europe/Berlin')).toBe('2026-10-25T02:30:00.000Z');
    });

    it('ends the long day at 23:59:59.999 CET', () => {
      expect(resolve('2026-10-25', 'Europe/Berlin')).toBe('2026-10-25T22:59:59.999Z');
    });

    it('picks the first 02:30 when only it has passed', () => {
      // 01:00Z is 02:00 CET, the second time round: 02:30 CEST (00:30Z) has passed, 02:30 CET not yet.
      expect(resolve('02:30', 'Europe/Berlin', at('2026-10-25T01:00:00Z'))).toBe('2026-10-25T00:30:00.000Z');
    });

    it('picks the second 02:30 once both have passed', () => {
      expect(resolve('02:30', 'Europe/Berlin', at('2026-10-25T01:45:00Z'))).toBe('2026-10-25T01:30:00.000Z');
      expect(resolve('02:30', 'Europe/Berlin', at('2026-10-25T12:00:00Z'))).toBe('2026-10-25T01:30:00.000Z');
    });

    it('goes back to yesterday before the first 02:30', () => {
      expect(resolve('02:30', 'Europe/Berlin', at('2026-10-25T00:15:00Z'))).toBe('2026-10-24T00:30:00.000Z');
    });

    it('uses winter time for later clock times that day', () => {
      expect(resolve('09:30', 'Europe/Berlin', at('2026-10-25T10:00:00Z'))).toBe('2026-10-25T08:30:00.000Z');
    });
  });

  describe('Australia/Lord_Howe half-hour DST', () => {
    it('spring forward, 2026-10-04 02:00 → 02:30: 02:15 is read with +10:30', () => {
      expect(resolve('2026-10-04 02:15', 'Australia/Lord_Howe')).toBe('2026-10-03T15:45:00.000Z');
    });

    it('fall back, 2026-04-05 02:00 → 01:30: 01:45 happens twice, the later counts', () => {
      expect(resolve('2026-04-05 01:45', 'Australia/Lord_Howe')).toBe('2026-04-04T15:15:00.000Z');
      expect(resolve('01:45', 'Australia/Lord_Howe', at('2026-04-04T15:00:00Z'))).toBe('2026-04-04T14:45:00.000Z');
    });
  });

  describe('the host\'s own zone does not matter (TZDate\'s DST edges would)', () => {
    const cases: [string, string, number, string][] = [
      ['2026-03-29 02:30', 'Europe/Berlin', NOW, '2026-03-29T01:30:00.000Z'],
      ['2026-10-25 02:30', 'Europe/Berlin', NOW, '2026-10-25T01:30:00.000Z'],
      ['2026-11-01 01:30', 'America/Los_Angeles', NOW, '2026-11-01T09:30:00.000Z'],
      ['2026-10-04 02:15', 'Australia/Lord_Howe', NOW, '2026-10-03T15:45:00.000Z'],
      ['2026-04-05 01:45', 'Australia/Lord_Howe', NOW, '2026-04-04T15:15:00.000Z'],
      ['02:30', 'Europe/Berlin', at('2026-10-25T01:00:00Z'), '2026-10-25T00:30:00.000Z'],
      ['09:30', 'Asia/Kolkata', NOW, '2026-11-26T04:00:00.000Z'],
    ];

    it.each(['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney'])('TZ=%s', (hostZone) => {
      const saved = process.env.TZ;
      process.env.TZ = hostZone;
      try {
        for (const [text, zone, now, expected] of cases) expect(resolve(text, zone, now)).toBe(expected);
      } finally {
        if (saved === undefined) delete process.env.TZ;
        else process.env.TZ = saved;
      }
    });
  });

  describe('America/Los_Angeles DST days', () => {
    it('spring forward, 2026-03-08: 02:30 is read with PST', () => {
      expect(resolve('2026-03-08 02:30', 'America/Los_Angeles')).toBe('2026-03-08T10:30:00.000Z');
      expect(resolve('02:30', 'America/Los_Angeles', at('2026-03-08T12:00:00Z'))).toBe('2026-03-08T10:30:00.000Z');
    });

    it('fall back, 2026-11-01: 01:30 happens twice', () => {
      expect(resolve('2026-11-01 01:30', 'America/Los_Angeles')).toBe('2026-11-01T09:30:00.000Z');
      expect(resolve('01:30', 'America/Los_Angeles', at('2026-11-01T09:00:00Z'))).toBe('2026-11-01T08:30:00.000Z');
      expect(resolve('01:30', 'America/Los_Angeles', at('2026-11-01T09:30:00Z'))).toBe('2026-11-01T09:30:00.000Z');
    });
  });
});

describe('properties', () => {
  const KEYWORDISH = [
    'help', 'HELP', 'stale', 'Stale', 'share', 'before', 'BEFORE', 'in', 'IN', 'on', 'On',
    '09:30', '9:30', '24:00', '23:59:59', '0:00', '2026-11-25', '2026-02-30', '2026-03-29', '2026-10-25',
    '02:30', '2026-11-25T09:30', '2026-11-25T09:30+01:00', '2026-11-25T08:30Z', '1969-01-01',
    '90m', '3h', '0s', '1d12h', '36501d', '99999999999999999999d',
    '<!channel>', '<@U123>', '<@U1|a b>', '&lt;!here&gt;', '&amp;', '&lt;', '<', '>', '&',
    'Snapshot', 'AzureBlob', 'vm-sql-01',
  ];
  const token = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...KEYWORDISH) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 12 }) },
  );
  const separator = fc.constantFrom(' ', '  ', '\t', '\n', '\u00a0');
  const keywordish = fc
    .tuple(fc.array(token, { maxLength: 70 }), separator)
    .map(([tokens, sep]) => tokens.join(sep));
  const texts = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.string({ unit: 'grapheme', maxLength: 300 }),
    fc.string({ unit: 'binary-ascii', maxLength: 3000 }),
    keywordish,
  );
  const zones = fc.oneof(
    fc.constantFrom('UTC', 'Europe/Berlin', 'America/Los_Angeles', 'Asia/Kolkata', 'Pacific/Apia', 'Australia/Lord_Howe', 'Asia/Kathmandu'),
    fc.string(),
    fc.string({ unit: 'binary', maxLength: 40 }),
  );
  const nows = fc.integer({ min: at('2000-01-01T00:00:00Z'), max: at('2100-01-01T00:00:00Z') });

  function checkQuery(query: Query): void {
    for (const problem of query.problems) {
      expect(problem.word.length).toBeGreaterThan(0);
      expect(problem.reason.length).toBeGreaterThan(0);
    }
    expect(query.problems.length).toBeLessThanOrEqual(MAX_QUERY_WORDS + 2);
    expect(query.names.length).toBeLessThanOrEqual(MAX_QUERY_WORDS);
    for (const value of [...query.names, query.destination, query.appliance]) {
      if (value === null) continue;
      expect(value).not.toMatch(/[<>\s]/);
      expect(value.length).toBeGreaterThan(0);
    }
  }

  it('parseQuery never throws, and every problem says what and why', () => {
    fc.assert(
      fc.property(texts, (text) => checkQuery(parseQuery(text))),
      { numRuns: 1000 },
    );
  });

  it('resolveTime of any parsed `before` is a finite number, whatever the zone', () => {
    fc.assert(
      fc.property(keywordish, zones, nows, (text, zone, now) => {
        const query = parseQuery(text);
        checkQuery(query);
        if (query.before !== null) expect(Number.isFinite(resolveTime(query.before, now, zone))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('a clock time resolves to at most now and less than two days before it', () => {
    const clocks = fc.record({ hour: fc.integer({ min: 0, max: 23 }), minute: fc.integer({ min: 0, max: 59 }) });
    fc.assert(
      fc.property(clocks, zones, nows, ({ hour, minute }, zone, now) => {
        const resolved = resolveTime({ kind: 'clock', hour, minute }, now, zone);
        expect(resolved).toBeLessThanOrEqual(now);
        expect(now - resolved).toBeLessThan(2 * 86_400_000);
      }),
      { numRuns: 1000 },
    );
  });

  it('a clock time shows that wall time in the zone, except inside a DST gap', () => {
    const clocks = fc.record({ hour: fc.integer({ min: 0, max: 23 }), minute: fc.integer({ min: 0, max: 59 }) });
    const realZones = fc.constantFrom('UTC', 'Europe/Berlin', 'America/Los_Angeles', 'Asia/Kolkata', 'Australia/Lord_Howe');
    fc.assert(
      fc.property(clocks, realZones, nows, ({ hour, minute }, zone, now) => {
        const resolved = new TZDate(resolveTime({ kind: 'clock', hour, minute }, now, zone), zone);
        const shown = resolved.getHours() * 60 + resolved.getMinutes();
        const asked = hour * 60 + minute;
        // A gap moves the time forward by the size of the gap: at most an hour anywhere here.
        expect(shown - asked === 0 || (shown - asked > 0 && shown - asked <= 60)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('a re-spaced query means the same', () => {
    // Problem words may keep the spacing inside an entity `<…>`: compare their reasons only.
    const meaning = (query: Query) => ({ ...query, problems: query.problems.map((problem) => problem.reason) });
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...KEYWORDISH), { maxLength: 20 }), separator, (tokens, sep) => {
        expect(meaning(parseQuery(tokens.join(sep)))).toEqual(meaning(parseQuery(tokens.join(' '))));
      }),
    );
  });
});
