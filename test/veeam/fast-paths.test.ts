/**
 * The read path's fast paths answer exactly what the general ones do. Reading a million restore
 * points made these worth having (bench/, part 1); each is proven here against the path it
 * short-cuts, on random input:
 *
 * - toRestorePoint (type checks, then the conversion) against toRestorePointViaSchema (zod);
 * - parseApiTime's canonical form against parseApiTimeGeneral (regular expression, Date.parse);
 * - SeenIds (a Bloom filter, a log, and a final exact pass) against Set<string>;
 * - isoTime against Date.prototype.toISOString;
 * - the simulator's pages, written as text, against JSON.stringify of wirePoint;
 * - simUuid against its first, plainer version.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WorkloadKind } from '../../src/restore-points/model.ts';
import { isoTime } from '../../src/simulator/iso-time.ts';
import { SeenIds } from '../../src/veeam/id-set.ts';
import { simUuid, type SimPoint } from '../../src/simulator/dataset.ts';
import { PageWriter, wirePoint, wirePointJson } from '../../src/simulator/records.ts';
import { createWorkloadInterner, parseApiTime, parseApiTimeGeneral, toRestorePoint, toRestorePointViaSchema } from '../../src/veeam/to-domain.ts';

const kinds = fc.constantFrom<WorkloadKind>('vm', 'sql', 'fileShare', 'cosmosDb');

describe('toRestorePoint answers what the zod schema path answers', () => {
  const value = fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.string(),
    fc.constantFrom('', '  ', 'Corrupted', 'Ok', '12', '-5', '1073741824', '2026-11-26T08:00:00.123Z', '2026-11-26T08:00:00Z', '2026-02-30T08:00:00Z', '2026-11-26T24:00:00Z', '0099-01-01T00:00:00Z'),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.jsonValue({ maxDepth: 2 }),
    fc.constant(Number.POSITIVE_INFINITY),
  );
  const links = fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.jsonValue({ maxDepth: 3 }),
    fc.record({ BackupJob: fc.oneof(value, fc.record({ href: fc.oneof(value, fc.constantFrom('https://a/api/v1/jobSessions/37', 'https://a/api/v1/jobSessions/%E0', 'https://a/api/v1/jobSessions/ ')) }, { requiredKeys: [] })) }, { requiredKeys: [] }),
    fc.constant(Object.create(null) as object),
    fc.constant({ [Symbol('s')]: 1, BackupJob: { href: 'https://a/api/v1/jobSessions/9' } }),
    fc.constant(JSON.parse('{"__proto__":{"BackupJob":{"href":"https://a/api/v1/jobSessions/7"}}}') as object),
    fc.constant({ constructor: 1, BackupJob: { href: 'https://a/api/v1/jobSessions/8' } }),
    fc.constant([{ href: 'x' }]),
  );
  const record = fc.record(
    {
      id: fc.oneof(value, fc.uuid()),
      pointInTime: value,
      backupSizeBytes: value,
      sizeInBytes: value,
      backupDestination: value,
      type: value,
      isCorrupted: value,
      state: value,
      jobSessionId: value,
      immutableTill: value,
      vmName: value,
      databaseName: value,
      sqlServerName: value,
      fileShareName: value,
      accountName: value,
      _links: links,
      extra: value,
    },
    { requiredKeys: [] },
  );
  /** What appliances send: every field of the right type. */
  const typical = fc.record({
    id: fc.uuid(),
    pointInTime: fc.integer({ min: 0, max: 4_102_444_800_000 }).map((ms) => new Date(ms).toISOString()),
    backupSizeBytes: fc.oneof(fc.nat(), fc.constant(null)),
    backupDestination: fc.constantFrom('Snapshot', 'AzureBlob', 'ManualSnapshot', ' Snapshot '),
    type: fc.constantFrom('Full', 'Incremental'),
    isCorrupted: fc.boolean(),
    state: fc.constantFrom('Ok', 'Corrupted'),
    jobSessionId: fc.oneof(fc.uuid(), fc.constant(''), fc.constant(null)),
    vmName: fc.string(),
    _links: links,
  });

  it('for anything', () => {
    fc.assert(
      fc.property(fc.oneof(record, typical, fc.anything()), kinds, (raw, kind) => {
        const fast = toRestorePoint(raw, kind, 'weu', createWorkloadInterner());
        const schema = toRestorePointViaSchema(raw, kind, 'weu', createWorkloadInterner());
        if (!isDeepStrictEqual(fast, schema)) throw new Error(`differs for ${JSON.stringify(raw)}: ${JSON.stringify(fast)} vs ${JSON.stringify(schema)}`);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('parseApiTime reads the canonical form as the general path does', () => {
  const pad = (value: number, width: number) => String(value).padStart(width, '0');
  const canonical = fc
    .record({
      year: fc.integer({ min: 0, max: 9999 }),
      month: fc.integer({ min: 0, max: 13 }),
      day: fc.integer({ min: 0, max: 32 }),
      hour: fc.integer({ min: 0, max: 25 }),
      minute: fc.integer({ min: 0, max: 61 }),
      second: fc.integer({ min: 0, max: 61 }),
      millis: fc.option(fc.integer({ min: 0, max: 999 })),
      zone: fc.constantFrom('Z', 'z', '+01:00', ''),
    })
    .map((t) => `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)}T${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}${t.millis === null ? '' : `.${pad(t.millis, 3)}`}${t.zone}`);
  const mangled = fc.tuple(canonical, fc.nat(23), fc.string({ maxLength: 2 })).map(([text, at, insert]) => text.slice(0, at) + insert + text.slice(at + 1));

  it('for dates in and out of range, and for almost-dates', () => {
    fc.assert(
      fc.property(fc.oneof(canonical, mangled, fc.string({ maxLength: 30 })), (text) => {
        expect(parseApiTime(text)).toBe(parseApiTimeGeneral(text));
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('SeenIds keeps what a Set<string> would', () => {
  const id = fc.oneof(
    fc.uuid(),
    fc.uuid().map((uuid) => uuid.toUpperCase()),
    fc.uuid().map((uuid) => `${uuid.slice(0, 35)}g`),
    fc.constantFrom('00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '37', '', 'x'.repeat(36)),
    fc.string({ maxLength: 40 }),
  );

  /** The first item of each id is used, once, whether at once or at settle(). */
  function check(ids: readonly string[], settleEvery: number): void {
    const seen = new SeenIds<number>(16);
    const used: number[] = [];
    let duplicates = 0;
    const settle = () => {
      const settled = seen.settle();
      used.push(...settled.fresh);
      duplicates += settled.duplicates;
    };
    ids.forEach((each, index) => {
      const verdict = seen.offer(each, index);
      if (verdict === true) used.push(index);
      else if (verdict === false) duplicates++;
      if (settleEvery > 0 && index % settleEvery === settleEvery - 1) settle();
    });
    settle();
    const firsts = new Map<string, number>();
    ids.forEach((each, index) => {
      if (!firsts.has(each)) firsts.set(each, index);
    });
    expect([...used].sort((a, b) => a - b)).toEqual([...firsts.values()]);
    expect(duplicates).toBe(ids.length - firsts.size);
    expect(seen.used).toBe(firsts.size);
    expect(seen.held).toBe(0);
  }

  it('for any sequence of ids, repeated or not, settled once or now and then', () => {
    fc.assert(
      fc.property(fc.array(id, { maxLength: 2000 }), fc.nat(300), fc.nat(40), (distinct, settleEvery, repeats) => {
        // Repeat some ids later on, as a shifting collection would.
        const ids = [...distinct, ...distinct.slice(0, repeats), ...distinct.slice(-repeats)];
        check(ids, settleEvery);
      }),
      { numRuns: 300 },
    );
  });

  it('through the filter growing many times, with few ids held back', () => {
    const ids = Array.from({ length: 200_000 }, (_, index) => simUuid(0x1d5e7, index));
    const seen = new SeenIds<number>(16);
    let now = 0;
    ids.forEach((each, index) => {
      if (seen.offer(each, index) === true) now++;
    });
    // A few in a hundred new ids are held back by the filter, and all come back from settle().
    expect(seen.held).toBeLessThan(ids.length * 0.03);
    const settled = seen.settle();
    expect(now + settled.fresh.length).toBe(ids.length);
    expect(settled.duplicates).toBe(0);
    ids.slice(0, 1000).forEach((each, index) => expect(seen.offer(each, index)).not.toBe(true));
    expect(seen.settle()).toEqual({ fresh: [], duplicates: 1000 });
  });
});

describe('isoTime writes what toISOString writes', () => {
  it('for any time Date can hold', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.integer({ min: 0, max: 253_402_300_799_999 }), fc.double({ min: -1, max: 2e12 }), fc.double()), (ms) => {
        // An invalid time throws the same way from both.
        const outcome = (format: (ms: number) => string) => {
          try {
            return format(ms);
          } catch (error) {
            return `${(error as Error).name}`;
          }
        };
        expect(outcome(isoTime)).toBe(outcome((value) => new Date(value).toISOString()));
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('the simulator writes pages byte for byte as JSON.stringify would', () => {
  const name = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('vm-sql-01', '<!channel>', 'zürich', 'a"b\\c', '\ud800', '🎉', 'line\nbreak'));
  const point: fc.Arbitrary<SimPoint> = fc.record(
    {
      id: fc.oneof(fc.uuid(), name),
      kind: fc.constantFrom('vm', 'sql', 'fileShare', 'cosmosDb'),
      workload: name,
      server: fc.option(name, { nil: undefined }),
      pointInTime: fc.oneof(fc.integer({ min: 0, max: 253_402_300_799_999 }), fc.integer({ min: -8.64e15, max: -1 })),
      sizeBytes: fc.oneof(fc.integer(), fc.double(), fc.constant(21_474_836_480)),
      destination: fc.oneof(name, fc.constantFrom('Snapshot', 'AzureBlob')),
      type: fc.constantFrom('Full', 'Incremental', 'Continuous', 'Unknown'),
      corrupted: fc.boolean(),
      jobSessionId: name,
      region: name,
    },
    { requiredKeys: ['id', 'kind', 'workload', 'pointInTime', 'sizeBytes', 'destination', 'type', 'corrupted', 'jobSessionId', 'region'] },
  ) as fc.Arbitrary<SimPoint>;

  it('for any points, shapes and versions', () => {
    const base = 'http://127.0.0.1:8080';
    const writer = new PageWriter(base);
    fc.assert(
      fc.property(fc.array(point, { maxLength: 15 }), fc.constantFrom('v1' as const, 'current' as const), fc.constantFrom('v1', 'v8.1'), (points, shape, version) => {
        for (const each of points) expect(wirePointJson(each, shape, base, version)).toBe(JSON.stringify(wirePoint(each, shape, base, version)));
        writer.begin(64).text('[');
        points.forEach((each, index) => writer.point(each, shape, version, index === 0));
        writer.text(']');
        expect(writer.bytes().toString('utf8')).toBe(JSON.stringify(points.map((each) => wirePoint(each, shape, base, version))));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('simUuid', () => {
  /** The first version, with toString and padStart. */
  function reference(namespace: number, index: number): string {
    let hash = Math.imul(namespace ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 0x632be5ab, 0xc2b2ae35);
    hash = Math.imul(hash ^ (hash >>> 16), 0x7feb352d);
    hash ^= hash >>> 15;
    const ns = (namespace >>> 0).toString(16).padStart(8, '0').slice(-8);
    const hex = index.toString(16).padStart(12, '0').slice(-12);
    return `${(hash >>> 0).toString(16).padStart(8, '0')}-${ns.slice(0, 4)}-4${ns.slice(5, 8)}-8${ns.slice(4, 5)}00-${hex}`;
  }

  it('makes the ids it always made', () => {
    fc.assert(
      fc.property(fc.integer(), fc.oneof(fc.nat(), fc.integer({ min: 0, max: 2 ** 53 - 1 })), (namespace, index) => {
        expect(simUuid(namespace, index)).toBe(reference(namespace, index));
      }),
      { numRuns: 20_000 },
    );
  });
});
