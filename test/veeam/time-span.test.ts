import { describe, expect, it } from 'vitest';
import { parseTimeSpan } from '../../src/veeam/time-span.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('parseTimeSpan', () => {
  it.each([
    ['00:03:12.1234567', 3 * MINUTE + 12 * SECOND + 123],
    ['00:03:12.1236', 3 * MINUTE + 12 * SECOND + 124],
    ['00:00:00.0004999', 0],
    ['1.02:03:04', DAY + 2 * HOUR + 3 * MINUTE + 4 * SECOND],
    ['1.02:03:04.5', DAY + 2 * HOUR + 3 * MINUTE + 4 * SECOND + 500],
    ['12.23:59:59.9999999', 12 * DAY + 23 * HOUR + 59 * MINUTE + 59 * SECOND + 1000],
    ['00:00:00', 0],
    ['0:00:01', SECOND],
    ['23:59:59', DAY - SECOND],
    [' 00:00:05 ', 5 * SECOND],
  ])('the time span %j', (text, ms) => expect(parseTimeSpan(text)).toBe(ms));

  it.each([
    ['12345', 12_345],
    ['0', 0],
  ])('milliseconds as digits %j', (text, ms) => expect(parseTimeSpan(text)).toBe(ms));

  it.each([
    [4200, 4200],
    [0, 0],
    [1.5, 1.5],
  ])('milliseconds as the number %d', (value, ms) => expect(parseTimeSpan(value)).toBe(ms));

  it.each(['-00:00:01', '-1.02:03:04', '-12345', -1, -4200])('a negative duration %j is not a duration', (value) =>
    expect(parseTimeSpan(value)).toBeNull(),
  );

  it.each([
    'garbage',
    '',
    '   ',
    '3 minutes',
    '00:03',
    '00:03:12:01',
    '1:2:3',
    '00:03:12.',
    '00:03:12.12345678',
    '1.2.03:04:05',
    'PT3M12S',
    '1e3',
    '12.5',
    '0x10',
  ])('garbage %j', (text) => expect(parseTimeSpan(text)).toBeNull());

  it.each(['00:60:00', '00:00:60', '00:99:99', '24:00:00', '99:00:00', '1.24:00:00'])('a component out of range %j', (text) =>
    expect(parseTimeSpan(text)).toBeNull(),
  );

  it.each([null, undefined, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('no value %j', (value) =>
    expect(parseTimeSpan(value)).toBeNull(),
  );
});
