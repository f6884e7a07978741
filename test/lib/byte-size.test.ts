import { describe, expect, it } from 'vitest';
import { parseByteSize } from '../../src/lib/byte-size.ts';

describe('parseByteSize', () => {
  it.each([
    ['65536', 65_536],
    ['512KiB', 512 * 1024],
    ['64MiB', 64 * 1024 ** 2],
    ['64 mib', 64 * 1024 ** 2],
    ['1GiB', 1024 ** 3],
    ['100b', 100],
    [' 2MiB ', 2 * 1024 ** 2],
  ])('%j', (text, bytes) => expect(parseByteSize(text)).toBe(bytes));

  it.each(['', 'MiB', '64MB', '1.5MiB', '-1', '1e6', '64 MiBs', '99999999999999999999GiB'])('rejects %j', (text) => expect(parseByteSize(text)).toBeNull());
});
