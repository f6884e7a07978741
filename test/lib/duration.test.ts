import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/lib/duration.ts';

describe('parseDuration', () => {
  it.each([
    ['90m', 90 * 60_000],
    ['26h', 26 * 3_600_000],
    ['2d', 2 * 86_400_000],
    ['1d12h', 36 * 3_600_000],
    ['60s', 60_000],
    ['1w', 7 * 86_400_000],
    ['250ms', 250],
    [' 3H ', 3 * 3_600_000],
  ])('%s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'off', '3', 'h', '3x', '-3h', '3.5h', '1e3s', '99999999999999999999d'])('rejects %j', (text) =>
    expect(parseDuration(text)).toBeNull(),
  );
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [45_000, '45s'],
    [5 * 60_000 + 30_000, '5m 30s'],
    [12 * 60_000, '12m'],
    [3 * 3_600_000, '3h'],
    [90 * 60_000, '1h 30m'],
    [(2 * 24 + 4) * 3_600_000 + 59_000, '2d 4h'],
    [26 * 3_600_000, '1d 2h'],
    [-3 * 3_600_000, '-3h'],
  ])('%d ms → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
