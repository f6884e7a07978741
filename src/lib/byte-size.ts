/**
 * Sizes as people write them in configuration: `65536`, `512KiB`, `64MiB`, `1GiB` (binary
 * units, as their names say; a space before the unit is allowed).
 */

const UNIT_BYTES = { '': 1, b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 } as const;

const BYTE_SIZE = /^(\d+)\s*(b|kib|mib|gib)?$/i;

/** Bytes, or null when the text is not a size. */
export function parseByteSize(text: string): number | null {
  const match = BYTE_SIZE.exec(text.trim());
  if (!match) return null;
  const bytes = Number(match[1]) * UNIT_BYTES[(match[2] ?? '').toLowerCase() as keyof typeof UNIT_BYTES];
  return Number.isSafeInteger(bytes) ? bytes : null;
}
