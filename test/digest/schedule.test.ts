import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  logDigestDisabled,
  startDigestSchedule,
  type DigestSchedule,
  type RunCoordinator,
} from '../../src/digest/schedule.ts';
import { scheduleProblems } from '../../src/config/schedule.ts';
import { captureLogger } from '../support/log-capture.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** "08:00" for an instant, read in the zone. */
function localClock(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(date);
}

const schedules: DigestSchedule[] = [];
function start(...args: Parameters<typeof startDigestSchedule>): DigestSchedule {
  const schedule = startDigestSchedule(...args);
  schedules.push(schedule);
  return schedule;
}

afterEach(async () => {
  for (const schedule of schedules.splice(0)) await schedule.stop();
  vi.useRealTimers();
});

describe('scheduleProblems', () => {
  it('accepts good schedules', () => {
    expect(scheduleProblems('0 8 * * *', 'UTC')).toEqual([]);
    expect(scheduleProblems('30 7 * * 1-5', 'Europe/Berlin')).toEqual([]);
    expect(scheduleProblems('0 0 8 * * mon-fri', 'America/New_York')).toEqual([]);
    expect(scheduleProblems('@daily', 'Asia/Kolkata')).toEqual([]);
  });

  it('names DIGEST_CRON, the bad field and value, and how to fix it', () => {
    const [problem, ...rest] = scheduleProblems('0 25 * * *', 'UTC');
    expect(rest).toEqual([]);
    expect(problem).toContain('DIGEST_CRON "0 25 * * *"');
    expect(problem).toContain('hour field "25"');
    expect(problem).toContain('0-23');
    expect(problem).toContain('DIGEST_CRON="0 8 * * *"');

    expect(scheduleProblems('61 8 * * *', 'UTC')[0]).toContain('minute field "61"');
    expect(scheduleProblems('0 8 * 13 *', 'UTC')[0]).toContain('month field "13"');
    expect(scheduleProblems('0 8 * * funday', 'UTC')[0]).toContain('day-of-week field "funday"');
  });

  it('explains a wrong number of fields, an empty value and an impossible date', () => {
    expect(scheduleProblems('0 8 * *', 'UTC')[0]).toMatch(/DIGEST_CRON "0 8 \* \*" is not a valid cron expression: expected 5 or 6 fields but got 4\. Use five fields/);
    expect(scheduleProblems('', 'UTC')[0]).toContain('it is empty');
    expect(scheduleProblems('0 8 30 2 *', 'UTC')[0]).toMatch(/DIGEST_CRON "0 8 30 2 \*" never fires/);
  });

  it('names DIGEST_TIMEZONE, the bad zone and a fix', () => {
    const [problem, ...rest] = scheduleProblems('0 8 * * *', 'Europe/Berln');
    expect(rest).toEqual([]);
    expect(problem).toContain('DIGEST_TIMEZONE "Europe/Berln" is not a time zone this system knows');
    expect(problem).toContain('"Europe/Berlin"');
    expect(scheduleProblems('0 8 * * *', 'Berlin')[0]).toContain('Did you mean "Europe/Berlin"?');
    expect(scheduleProblems('0 8 * * *', '')[0]).toContain('DIGEST_TIMEZONE ""');
    expect(scheduleProblems('0 8 * * *', '+01:00')[0]).toMatch(/DIGEST_TIMEZONE "\+01:00" is an offset, not an IANA time zone name.*"Etc\/GMT-1"/);
  });

  it('reports both variables when both are wrong', () => {
    const problems = scheduleProblems('every morning', 'Mars/Olympus');
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('DIGEST_CRON');
    expect(problems[1]).toContain('DIGEST_TIMEZONE');
  });

  it('makes startDigestSchedule throw the same sentences', () => {
    const { logger } = captureLogger();
    expect(() => startDigestSchedule({ cron: '0 8 * * 8', timeZone: 'UTC', run: async () => {}, logger })).toThrow(
      /DIGEST_CRON "0 8 \* \* 8" has an invalid day-of-week field "8"/,
    );
  });
});

describe('startDigestSchedule', () => {
  it('logs when the next digest goes out and to which channels; nextRun; stop', async () => {
    vi.useFakeTimers({ now: new Date('2026-06-01T05:00:00Z') });
    const { logger, lines } = captureLogger();
    const schedule = start({ cron: '0 8 * * *', timeZone: 'Europe/Berlin', run: async () => {}, logger, channels: ['C0123ABCD', 'C0456EFGH'] });
    expect(schedule.nextRun()).toEqual(new Date('2026-06-01T06:00:00Z'));
    const line = lines.find((l) => l.msg.startsWith('next digest'));
    expect(line).toMatchObject({ level: 'info', nextRun: '2026-06-01T06:00:00.000Z', channels: ['C0123ABCD', 'C0456EFGH'], coordination: 'single instance' });
    expect(line?.msg).toBe('next digest Mon, 1 Jun 2026, 08:00 CEST (2026-06-01T06:00:00.000Z) to C0123ABCD, C0456EFGH');
    await schedule.stop();
    expect(schedule.nextRun()).toBeNull();
  });

  it('warns loudly when the digest is off', () => {
    const { logger, lines } = captureLogger();
    logDigestDisabled(logger);
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', msg: expect.stringContaining('DIGEST_CHANNELS is empty') })]);
  });

  it.each([
    {
      change: 'March (2026-03-29, CET → CEST)',
      from: '2026-03-26T12:00:00Z',
      expected: ['2026-03-27T07:00:00.000Z', '2026-03-28T07:00:00.000Z', '2026-03-29T06:00:00.000Z', '2026-03-30T06:00:00.000Z', '2026-03-31T06:00:00.000Z'],
    },
    {
      change: 'October (2026-10-25, CEST → CET)',
      from: '2026-10-22T12:00:00Z',
      expected: ['2026-10-23T06:00:00.000Z', '2026-10-24T06:00:00.000Z', '2026-10-25T07:00:00.000Z', '2026-10-26T07:00:00.000Z', '2026-10-27T07:00:00.000Z'],
    },
  ])('fires "0 8 * * *" Europe/Berlin at 08:00 local around the $change change', async ({ from, expected }) => {
    vi.useFakeTimers({ now: new Date(from) });
    const { logger } = captureLogger();
    const fires: { fireTime: Date; clock: Date }[] = [];
    const schedule = start({
      cron: '0 8 * * *',
      timeZone: 'Europe/Berlin',
      logger,
      run: async (fireTime) => {
        fires.push({ fireTime, clock: new Date() });
      },
    });
    await vi.advanceTimersByTimeAsync(5 * DAY);
    // The task really ran, at the instant the (fake) clock said, five times.
    expect(fires.map((f) => f.clock.toISOString())).toEqual(expected);
    expect(fires.map((f) => f.fireTime.toISOString())).toEqual(expected);
    expect(fires.map((f) => localClock(f.clock, 'Europe/Berlin'))).toEqual(['08:00', '08:00', '08:00', '08:00', '08:00']);
    // The UTC gap across the change day is 23 h in spring and 25 h in autumn.
    const gaps = fires.slice(1).map((f, i) => (f.clock.getTime() - (fires[i]?.clock.getTime() ?? 0)) / HOUR);
    expect(new Set(gaps).size).toBe(2);
    expect(schedule.nextRun()?.toISOString()).toBe(new Date(new Date(expected[4] ?? '').getTime() + DAY).toISOString());
  });

  it('does not start a slow digest twice (no overlap) and says so', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-05T08:00:00.500Z') });
    const { logger, lines } = captureLogger();
    let running = 0;
    let maxRunning = 0;
    const started: string[] = [];
    const schedule = start({
      cron: '* * * * * *',
      timeZone: 'UTC',
      logger,
      run: async (fireTime) => {
        started.push(fireTime.toISOString());
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((resolve) => setTimeout(resolve, 2_500));
        running--;
      },
    });
    await vi.advanceTimersByTimeAsync(4_600);
    await schedule.stop();
    // Fires at :01 … :05; the run started at :01 lasts until :03.5, so :02 and :03 are refused;
    // the one started at :04 lasts until :06.5, so :05 is refused.
    expect(started).toEqual(['2026-01-05T08:00:01.000Z', '2026-01-05T08:00:04.000Z']);
    expect(maxRunning).toBe(1);
    const overlaps = lines.filter((l) => l.level === 'warn' && l.msg.includes('previous digest is still running'));
    expect(overlaps.map((l) => l.fireTime)).toEqual(['2026-01-05T08:00:02.000Z', '2026-01-05T08:00:03.000Z', '2026-01-05T08:00:05.000Z']);
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(3); // one warning per refused fire
    // idle() waits for the digest that is still running after stop().
    expect(running).toBe(1);
    let idle = false;
    const waiting = schedule.idle().then(() => (idle = true));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(idle).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    await waiting;
    expect(running).toBe(0);
  });

  it('logs a digest that throws and keeps the schedule going', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-05T07:59:30Z') });
    const { logger, lines } = captureLogger();
    const calls: string[] = [];
    start({
      cron: '0 8 * * *',
      timeZone: 'UTC',
      logger,
      run: async (fireTime) => {
        calls.push(fireTime.toISOString());
        if (calls.length === 1) throw new Error('appliance unreachable');
      },
    });
    await vi.advanceTimersByTimeAsync(DAY + 60_000);
    expect(calls).toEqual(['2026-01-05T08:00:00.000Z', '2026-01-06T08:00:00.000Z']);
    const failure = lines.find((l) => l.level === 'error');
    expect(failure).toMatchObject({ msg: expect.stringContaining('digest run failed'), fireTime: '2026-01-05T08:00:00.000Z', err: { message: 'appliance unreachable' } });
    expect(lines.filter((l) => l.msg === 'digest run finished')).toHaveLength(1);
  });

  it('does not catch up on missed digests after downtime (no burst)', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-05T07:59:00Z') });
    const { logger, lines } = captureLogger();
    const calls: string[] = [];
    start({ cron: '0 8 * * *', timeZone: 'UTC', logger, run: async (fireTime) => void calls.push(fireTime.toISOString()) });
    // The machine sleeps for three days and a half hour: the clock jumps, no timer runs meanwhile.
    vi.setSystemTime(new Date('2026-01-08T08:30:00Z'));
    await vi.advanceTimersByTimeAsync(2 * 60_000);
    expect(calls).toEqual([]);
    const missed = lines.filter((l) => l.level === 'warn' && l.msg.startsWith('digest missed'));
    expect(missed.map((l) => l.fireTime)).toEqual([
      '2026-01-05T08:00:00.000Z',
      '2026-01-06T08:00:00.000Z',
      '2026-01-07T08:00:00.000Z',
      '2026-01-08T08:00:00.000Z',
    ]);
    expect(missed[0]?.nextRun).toBe('2026-01-09T08:00:00.000Z');
    // The next one goes out on time, once.
    await vi.advanceTimersByTimeAsync(DAY);
    expect(calls).toEqual(['2026-01-09T08:00:00.000Z']);
  });

  it('with a coordinator: runs when elected, skips when not, posts uncoordinated with an error log when it fails', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-05T07:59:59.500Z') });
    const { logger, lines } = captureLogger();
    const asked: { key: string; ttlMs: number }[] = [];
    // By fire: the replica that saw the second fire taken keeps looking, and keeps finding it taken.
    const answers: Record<string, boolean | Error> = {
      '2026-01-05': true,
      '2026-01-06': false,
      '2026-01-07': new Error('ECONNREFUSED 127.0.0.1:6379'),
    };
    const coordinator: RunCoordinator = {
      shouldRun(key, ttlMs) {
        asked.push({ key, ttlMs });
        const answer = answers[key.slice('digest-test:'.length, 'digest-test:'.length + 10)] ?? false;
        if (answer instanceof Error) throw answer;
        return answer;
      },
    };
    const calls: string[] = [];
    start({ cron: '0 8 * * *', timeZone: 'UTC', name: 'digest-test', logger, coordinator, run: async (t) => void calls.push(t.toISOString()) });
    await vi.advanceTimersByTimeAsync(3 * DAY);
    const fires = asked.map((a) => a.key).filter((key, index, all) => all.indexOf(key) === index);
    expect(fires).toEqual(['digest-test:2026-01-05T08:00:00.000Z', 'digest-test:2026-01-06T08:00:00.000Z', 'digest-test:2026-01-07T08:00:00.000Z']);
    expect(asked.every((a) => a.ttlMs >= 5 * 60_000)).toBe(true);
    // Redis trouble never loses a digest: the third fire goes out uncoordinated.
    expect(calls).toEqual(['2026-01-05T08:00:00.000Z', '2026-01-07T08:00:00.000Z']);
    expect(lines.find((l) => l.msg.startsWith('digest skipped on this replica: another replica'))).toMatchObject({ level: 'info', reason: 'not-elected', fireTime: '2026-01-06T08:00:00.000Z' });
    const errors = lines.filter((l) => l.level === 'error');
    expect(errors).toEqual([
      expect.objectContaining({ reason: 'coordinator-error', fireTime: '2026-01-07T08:00:00.000Z', msg: expect.stringContaining('posting this digest without coordination'), err: expect.objectContaining({ message: 'ECONNREFUSED 127.0.0.1:6379' }) }),
    ]);
  });

  it('posts a fire uncoordinated when the coordinator hangs, and later fires run as usual', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-05T07:59:59.500Z') });
    const { logger, lines } = captureLogger();
    let call = 0;
    const coordinator: RunCoordinator = {
      shouldRun: () => (++call === 1 ? new Promise<boolean>(() => {}) : true),
    };
    const calls: string[] = [];
    start({ cron: '0 8 * * *', timeZone: 'UTC', logger, coordinator, run: async (t) => void calls.push(t.toISOString()) });
    await vi.advanceTimersByTimeAsync(2 * DAY);
    expect(calls).toEqual(['2026-01-05T08:00:00.000Z', '2026-01-06T08:00:00.000Z']);
    expect(lines.filter((l) => l.level === 'error')).toEqual([
      expect.objectContaining({ reason: 'coordinator-error', err: expect.objectContaining({ message: expect.stringContaining('did not answer') }) }),
    ]);
  });

  it('looks again after a fire another replica claimed, and posts it when that replica released it unposted', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-05T07:59:59.500Z') });
    const { logger, lines } = captureLogger();
    const claims: string[] = [];
    let released = false;
    const coordinator = {
      shouldRun: () => false,
      claimFire: async (key: string) => {
        claims.push(key);
        return released ? ('claimed' as const) : ('taken' as const);
      },
      markPosted: async (key: string) => void claims.push(`posted ${key}`),
    };
    const calls: string[] = [];
    start({ cron: '0 8 * * *', timeZone: 'UTC', logger, coordinator, followUpMs: 1_000, run: async (t) => void calls.push(t.toISOString()) });
    await vi.advanceTimersByTimeAsync(3_000);
    expect(calls).toEqual([]);
    released = true;
    await vi.advanceTimersByTimeAsync(1_500);
    expect(calls).toEqual(['2026-01-05T08:00:00.000Z']);
    expect(claims.at(-1)).toBe('posted restorepoints-digest:2026-01-05T08:00:00.000Z');
    expect(lines.some((l) => l.level === 'warn' && l.msg.includes('released it unposted'))).toBe(true);
    // Once posted, nobody looks again.
    const asked = claims.length;
    await vi.advanceTimersByTimeAsync(20 * 60_000);
    expect(claims).toHaveLength(asked);
  });

  it('at start-up posts the last fire nobody posted within 15 minutes, once; an older one never', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-05T08:10:00Z') });
    const { logger } = captureLogger();
    const posted = new Set<string>();
    const coordinator = {
      shouldRun: () => false,
      claimFire: async (key: string) => (posted.has(key) ? ('posted' as const) : ('claimed' as const)),
      markPosted: async (key: string) => void posted.add(key),
    };
    const calls: string[] = [];
    const run = async (t: Date) => void calls.push(t.toISOString());
    start({ cron: '0 8 * * *', timeZone: 'UTC', logger, coordinator, run });
    await vi.advanceTimersByTimeAsync(10);
    expect(calls).toEqual(['2026-01-05T08:00:00.000Z']);
    // A second replica starting now finds it posted.
    start({ cron: '0 8 * * *', timeZone: 'UTC', logger, coordinator, run });
    await vi.advanceTimersByTimeAsync(10);
    expect(calls).toHaveLength(1);
    // After the grace window, a start does not post the old fire.
    vi.setSystemTime(new Date('2026-01-06T08:16:00Z'));
    start({ cron: '0 8 * * *', timeZone: 'UTC', logger, coordinator, run });
    await vi.advanceTimersByTimeAsync(10);
    expect(calls).toHaveLength(1);
  });
});
