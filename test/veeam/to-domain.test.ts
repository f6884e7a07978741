import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RestorePoint, WorkloadKind } from '../../src/restore-points/model.ts';
import {
  createWorkloadInterner,
  parseApiTime,
  parseSize,
  toJobSession,
  toRestorePoint,
  type PointConversion,
} from '../../src/veeam/to-domain.ts';

const APPLIANCE = 'weu-prod';
const GIB = 1024 ** 3;
const at = (iso: string): number => Date.parse(iso);

function convert(raw: unknown, kind: WorkloadKind = 'vm', intern = createWorkloadInterner()): PointConversion {
  return toRestorePoint(raw, kind, APPLIANCE, intern);
}

function point(raw: unknown, kind: WorkloadKind = 'vm'): RestorePoint {
  const result = convert(raw, kind);
  if (!result.ok) throw new Error(`expected a restore point, got: ${result.reason}`);
  return result.point;
}

function skipReason(raw: unknown, kind: WorkloadKind = 'vm'): string {
  const result = convert(raw, kind);
  if (result.ok) throw new Error(`expected a skip, got ${JSON.stringify(result.point)}`);
  return result.reason;
}

/** A restore point as the v1 document shows it (the seed): no names, the session only in _links. */
const v1Record = (extra: Record<string, unknown> = {}) => ({
  id: '6c5a1d1e-2b7f-4c43-9d9e-1f6d0d8f0a01',
  pointInTime: '2019-10-21T07:00:11.5276432Z',
  backupSizeBytes: 5368709120,
  backupDestination: 'Snapshot',
  _embeddedResources: {},
  _links: {
    self: { href: 'https://appliance/api/v1/restorePoints/6c5a1d1e-2b7f-4c43-9d9e-1f6d0d8f0a01' },
    BackupJob: { href: 'https://appliance/api/v1/jobSessions/37' },
  },
  ...extra,
});

/** A v8.1 VirtualMachineRestorePoint. */
const vmRecord = (extra: Record<string, unknown> = {}) => ({
  id: '0a000001-0000-4000-8000-000000000001',
  type: 'Incremental',
  vbrId: null,
  pointInTime: '2026-03-10T03:02:11.123Z',
  pointInTimeLocalTime: '2026-03-10T04:02:11.123+01:00',
  backupSizeBytes: 7 * GIB,
  isCorrupted: false,
  vmName: 'vm-web-01',
  resourceHashId: 'hash',
  regionId: 'westeurope',
  regionName: 'westeurope',
  backupDestination: 'AzureBlob',
  state: 'Ok',
  gfsFlags: 'None',
  jobSessionId: '5e551000-0000-4000-8000-000000000007',
  _links: { self: { href: 'https://appliance/api/v8.1/restorePoints/virtualMachines/0a000001-0000-4000-8000-000000000001' } },
  dataRetrievalStatus: 'None',
  retrievedDataExpirationDate: null,
  notifyBeforeRetrievedDataExpirationHours: null,
  immutableTill: '2026-04-10T03:00:00Z',
  accessTier: 'Hot',
  latestChainSizeBytes: 40 * GIB,
  ...extra,
});

const sqlRecord = (extra: Record<string, unknown> = {}) => ({
  id: '0d000000-0000-4000-8000-000000000002',
  type: 'Full',
  databaseId: 'db-erp',
  databaseName: 'erp',
  sqlServerId: 'server-sql-weu-01',
  sqlServerName: 'sql-weu-01',
  pointInTime: '2026-03-10T03:30:00Z',
  backupSizeBytes: 12 * GIB,
  isCorrupted: null,
  backupDestination: 'ManualBackup',
  state: 'Ok',
  jobSessionId: 'sql-session',
  ...extra,
});

const fileShareRecord = (extra: Record<string, unknown> = {}) => ({
  id: '0e000000-0000-4000-8000-000000000003',
  type: 'Full',
  indexed: false,
  fileShareId: 'share-finance',
  fileShareName: 'share-finance',
  regionName: 'northeurope',
  pointInTime: '2026-03-10T02:10:00Z',
  state: 'Ok',
  jobSessionId: 'share-session',
  backupDestination: 'ImportedSnapshot',
  sizeInBytes: 300 * 1024 ** 2,
  isCorrupted: false,
  ...extra,
});

const cosmosRecord = (extra: Record<string, unknown> = {}) => ({
  id: '0f000000-0000-4000-8000-000000000004',
  type: 'Continuous',
  accountName: 'cosmos-orders',
  accountId: 'account-cosmos-orders',
  pointInTime: '2026-03-09T23:00:00Z',
  backupSizeBytes: 2 * GIB,
  backupDestination: 'AzureBlob',
  state: 'Ok',
  jobSessionId: 'cosmos-session',
  subscriptionId: '00000000-0000-4000-8000-00000000c05d',
  ...extra,
});

describe('toRestorePoint', () => {
  describe('the shapes of the API versions', () => {
    it('a v1 record: no workload name, the session from _links.BackupJob', () => {
      expect(point(v1Record())).toEqual({
        appliance: APPLIANCE,
        id: '6c5a1d1e-2b7f-4c43-9d9e-1f6d0d8f0a01',
        workload: null,
        pointInTime: at('2019-10-21T07:00:11.527Z'),
        sizeBytes: 5 * GIB,
        destination: 'Snapshot',
        type: null,
        corrupted: false,
        immutableUntil: null,
        jobSessionId: '37',
      });
    });

    it('a v8.1 VM record', () => {
      expect(point(vmRecord())).toEqual({
        appliance: APPLIANCE,
        id: '0a000001-0000-4000-8000-000000000001',
        workload: { kind: 'vm', name: 'vm-web-01' },
        pointInTime: at('2026-03-10T03:02:11.123Z'),
        sizeBytes: 7 * GIB,
        destination: 'AzureBlob',
        type: 'Incremental',
        corrupted: false,
        immutableUntil: at('2026-04-10T03:00:00Z'),
        jobSessionId: '5e551000-0000-4000-8000-000000000007',
        // Issue 13: the access tier is kept, so an archived point can be labelled.
        accessTier: 'Hot',
      });
    });

    it('a SQL record is named server/database', () => {
      const sql = point(sqlRecord(), 'sql');
      // Issue 13: keyed by the appliance's database id, with its server to tell namesakes apart.
      expect(sql.workload).toMatchObject({ kind: 'sql', name: 'sql-weu-01/erp', context: 'sql-weu-01' });
      expect(sql).toMatchObject({ sizeBytes: 12 * GIB, destination: 'ManualBackup', type: 'Full', corrupted: false, jobSessionId: 'sql-session' });
    });

    it('a SQL record without a server is named by the database alone', () => {
      expect(point(sqlRecord({ sqlServerName: null }), 'sql').workload).toMatchObject({ kind: 'sql', name: 'erp' });
      expect(point(sqlRecord({ sqlServerName: '' }), 'sql').workload).toMatchObject({ kind: 'sql', name: 'erp' });
    });

    it('a SQL record without a database has no workload', () => {
      expect(point(sqlRecord({ databaseName: null }), 'sql').workload).toBeNull();
      expect(point(sqlRecord({ databaseName: '' }), 'sql').workload).toBeNull();
    });

    it('a file-share record takes its size from sizeInBytes', () => {
      const share = point(fileShareRecord(), 'fileShare');
      expect(share).toMatchObject({
        workload: { kind: 'fileShare', name: 'share-finance' },
        sizeBytes: 300 * 1024 ** 2,
        destination: 'ImportedSnapshot',
        jobSessionId: 'share-session',
      });
    });

    it('backupSizeBytes wins over sizeInBytes; a null one falls through', () => {
      expect(point(fileShareRecord({ backupSizeBytes: 5 }), 'fileShare').sizeBytes).toBe(5);
      expect(point(fileShareRecord({ backupSizeBytes: null }), 'fileShare').sizeBytes).toBe(300 * 1024 ** 2);
    });

    it('a Cosmos DB record is named by its account', () => {
      expect(point(cosmosRecord(), 'cosmosDb')).toMatchObject({
        workload: { kind: 'cosmosDb', name: 'cosmos-orders' },
        type: 'Continuous',
        sizeBytes: 2 * GIB,
        jobSessionId: 'cosmos-session',
      });
    });

    it('a Cosmos DB continuous point (no backupDestination in v8.1) lands under its type, not under Unknown', () => {
      const continuous = { ...cosmosRecord(), backupDestination: undefined };
      expect(toRestorePoint(continuous, 'cosmosDb', APPLIANCE, createWorkloadInterner(), true)).toMatchObject({ ok: true, point: { destination: 'Continuous' } });
      expect(toRestorePoint({ ...continuous, type: null }, 'cosmosDb', APPLIANCE, createWorkloadInterner(), true)).toMatchObject({ point: { destination: 'Continuous' } });
      // Elsewhere a missing destination stays Unknown, and a named one is kept.
      expect(point(continuous, 'cosmosDb').destination).toBe('Unknown');
      expect(toRestorePoint(cosmosRecord(), 'cosmosDb', APPLIANCE, createWorkloadInterner(), true)).toMatchObject({ point: { destination: 'AzureBlob' } });
    });

    it('the name is read from the field of the collection kind only', () => {
      expect(point(vmRecord(), 'sql').workload).toBeNull();
      expect(point(vmRecord({ vmName: null, accountName: 'x' })).workload).toBeNull();
      expect(point(vmRecord({ vmName: '' })).workload).toBeNull();
      expect(point(vmRecord({ vmName: 42 })).workload).toBeNull();
    });

    it('workloads are shared between points of the same name and kind', () => {
      const intern = createWorkloadInterner();
      const first = convert(vmRecord(), 'vm', intern);
      const second = convert(vmRecord({ id: 'other' }), 'vm', intern);
      const sqlNamedAlike = convert(sqlRecord({ sqlServerName: null, databaseName: 'vm-web-01' }), 'sql', intern);
      if (!first.ok || !second.ok || !sqlNamedAlike.ok) throw new Error('all three convert');
      expect(second.point.workload).toBe(first.point.workload);
      expect(sqlNamedAlike.point.workload).not.toBe(first.point.workload);
      expect(sqlNamedAlike.point.workload).toMatchObject({ kind: 'sql', name: 'vm-web-01' });
    });

    it('fields it does not know are ignored', () => {
      expect(point(vmRecord({ somethingNew: { nested: [1, 2] }, _embeddedResources: { x: 1 } })).id).toBe('0a000001-0000-4000-8000-000000000001');
    });
  });

  describe('sizes', () => {
    it.each([
      ['a number', 1024, 1024],
      ['zero', 0, 0],
      ['a digit string (the v1 table)', '5368709120', 5 * GIB],
      ['a digit string with spaces', ' 42 ', 42],
      ['a float, rounded down', 1024.9, 1024],
      ['a negative number', -1, null],
      ['a negative string', '-1', null],
      ['a float string', '1.5', null],
      ['an exponent string', '1e9', null],
      ['a hex string', '0x10', null],
      ['garbage', 'lots', null],
      ['an empty string', '', null],
      ['a boolean', true, null],
      ['an object', { bytes: 1 }, null],
      ['null', null, null],
      ['a 20-digit string', '99999999999999999999', null],
      ['a 40-digit string', '9'.repeat(40), null],
      // Above 2^53 a number no longer holds every integer: such a size is unknown (DESIGN "Numbers stay numbers").
      ['a 19-digit string', '1234567890123456789', null],
      ['2^53 as a string', String(2 ** 53), 2 ** 53],
      ['one above 2^53', 2 ** 53 + 2, null],
      ['1e308', 1e308, null],
    ])('%s', (_label, size, expected) => {
      expect(point(vmRecord({ backupSizeBytes: size })).sizeBytes).toBe(expected);
    });

    it('an absent size is unknown', () => {
      const record: Record<string, unknown> = vmRecord();
      delete record['backupSizeBytes'];
      expect(point(record).sizeBytes).toBeNull();
    });
  });

  describe('destinations', () => {
    it.each([
      ['Snapshot', 'Snapshot'],
      ['ManualSnapshot', 'ManualSnapshot'],
      ['Unknown', 'Unknown'],
      ['a destination nobody documented yet is kept', 'ArchiveTier'],
      ['surrounding spaces are trimmed', '  AzureBlob  '],
    ])('%s', (_label, destination) => {
      expect(point(vmRecord({ backupDestination: destination })).destination).toBe(destination.trim());
    });

    it.each([
      ['missing', undefined],
      ['null', null],
      ['empty', ''],
      ['blank', '   '],
      ['not a string', 7],
    ])('%s → Unknown', (_label, destination) => {
      const record: Record<string, unknown> = vmRecord({ backupDestination: destination });
      if (destination === undefined) delete record['backupDestination'];
      expect(point(record).destination).toBe('Unknown');
    });
  });

  describe('corruption', () => {
    it.each([
      [{ isCorrupted: true, state: 'Ok' }, true],
      [{ isCorrupted: false, state: 'Corrupted' }, true],
      [{ isCorrupted: null, state: 'Corrupted' }, true],
      [{ isCorrupted: true, state: null }, true],
      [{ isCorrupted: false, state: 'Ok' }, false],
      [{ isCorrupted: null, state: 'NotApplicable' }, false],
      [{ isCorrupted: 'true', state: 'Ok' }, false],
      [{ isCorrupted: undefined, state: undefined }, false],
    ])('%j → corrupted %s', (fields, corrupted) => {
      expect(point(vmRecord(fields)).corrupted).toBe(corrupted);
    });
  });

  describe('job sessions', () => {
    it('from the jobSessionId field', () => {
      expect(point(vmRecord({ jobSessionId: 'abc' })).jobSessionId).toBe('abc');
    });

    it('a numeric jobSessionId becomes a string', () => {
      expect(point(vmRecord({ jobSessionId: 37 })).jobSessionId).toBe('37');
    });

    it('the field wins over _links', () => {
      expect(point(v1Record({ jobSessionId: 'from-field' })).jobSessionId).toBe('from-field');
    });

    it.each([
      ['https://appliance/api/v1/jobSessions/37', '37'],
      ['/api/v1/jobSessions/37?expand=log#top', '37'],
      ['/api/v3/JOBSESSIONS/5e551000-0000-4000-8000-000000000007/log', '5e551000-0000-4000-8000-000000000007'],
      ['/api/v1/jobSessions/a%20b', 'a b'],
    ])('from _links.BackupJob.href %s', (href, id) => {
      expect(point(v1Record({ _links: { BackupJob: { href } } })).jobSessionId).toBe(id);
    });

    it.each([
      ['no _links', undefined],
      ['_links null', null],
      ['no BackupJob link', { self: { href: '/api/v1/restorePoints/1' } }],
      ['a BackupJob link without href', { BackupJob: {} }],
      ['a BackupJob link to something else', { BackupJob: { href: '/api/v1/policies/3' } }],
      ['_links that is not an object', 'nope'],
      ['a link that is not an object', { BackupJob: 'nope' }],
    ])('none with %s', (_label, links) => {
      expect(point(v1Record({ _links: links })).jobSessionId).toBeNull();
    });

    it('an undecodable session id in the link is no session, not a crash', () => {
      expect(convert(v1Record({ _links: { BackupJob: { href: '/api/v1/jobSessions/%E0%A4%A' } } }))).toMatchObject({
        ok: true,
        point: { jobSessionId: null },
      });
    });

    it.each([
      ['empty', ''],
      ['blank', '  '],
    ])('an %s jobSessionId is no session (falls back to _links)', (_label, jobSessionId) => {
      expect(point(vmRecord({ jobSessionId })).jobSessionId).toBeNull();
      expect(point(v1Record({ jobSessionId })).jobSessionId).toBe('37');
    });

    it('a jobSessionId of the wrong type is no session', () => {
      expect(point(vmRecord({ jobSessionId: { id: 1 } })).jobSessionId).toBeNull();
    });
  });

  describe('ids', () => {
    it('a numeric id becomes a string', () => {
      expect(point(vmRecord({ id: 42 })).id).toBe('42');
      expect(point(vmRecord({ id: 0 })).id).toBe('0');
    });

    it.each([
      ['missing', undefined],
      ['null', null],
      ['empty', ''],
      ['a boolean', true],
      ['an object', { value: 'x' }],
    ])('a record with an id that is %s is skipped with a reason', (_label, id) => {
      const record: Record<string, unknown> = vmRecord({ id });
      if (id === undefined) delete record['id'];
      expect(skipReason(record)).toMatch(/^id: /);
    });
  });

  describe('pointInTime', () => {
    it.each([
      ['UTC with Z', '2026-03-10T03:00:00Z', '2026-03-10T03:00:00.000Z'],
      ['with an offset', '2026-03-10T04:00:00+01:00', '2026-03-10T03:00:00.000Z'],
      ['with a negative offset', '2026-03-09T22:00:00-05:00', '2026-03-10T03:00:00.000Z'],
      ['without an offset: UTC', '2026-03-10T03:00:00', '2026-03-10T03:00:00.000Z'],
      ['without an offset, with .NET ticks', '2026-03-10T03:00:00.1234567', '2026-03-10T03:00:00.123Z'],
      ['without seconds', '2026-03-10T03:00', '2026-03-10T03:00:00.000Z'],
      ['lower case t and z', '2026-03-10t03:00:00z', '2026-03-10T03:00:00.000Z'],
    ])('%s', (_label, pointInTime, iso) => {
      expect(point(vmRecord({ pointInTime })).pointInTime).toBe(at(iso));
    });

    it.each([
      ['"1"', '1'],
      ['"garbage"', 'garbage'],
      ['month 13, day 45', '2026-13-45T00:00:00Z'],
      ['February 30', '2026-02-30T00:00:00Z'],
      ['April 31', '2026-04-31T12:00:00+02:00'],
      ['February 29 of a common year', '2027-02-29T00:00:00Z'],
      ['hour 25', '2026-03-10T25:00:00Z'],
      ['minute 60', '2026-03-10T03:60:00Z'],
      ['a date without a time', '2026-03-10'],
      ['a space instead of T', '2026-03-10 03:00:00Z'],
      ['empty', ''],
    ])('%s is skipped with a reason', (_label, pointInTime) => {
      expect(skipReason(vmRecord({ pointInTime }))).toMatch(/^pointInTime: /);
    });

    it('February 29 of a leap year is a date', () => {
      expect(point(vmRecord({ pointInTime: '2028-02-29T00:00:00Z' })).pointInTime).toBe(at('2028-02-29T00:00:00Z'));
    });

    it.each([
      ['absent', undefined],
      ['null', null],
      ['a number', 1_773_108_000_000],
    ])('a pointInTime that is %s is skipped with a reason', (_label, pointInTime) => {
      const record: Record<string, unknown> = vmRecord({ pointInTime });
      if (pointInTime === undefined) delete record['pointInTime'];
      expect(skipReason(record)).toMatch(/^pointInTime: /);
    });

    it('the reason quotes a long bad value only in part', () => {
      const reason = skipReason(vmRecord({ pointInTime: 'x'.repeat(500) }));
      expect(reason.length).toBeLessThan(120);
    });

    it('an unreadable immutableTill is only unknown', () => {
      expect(point(vmRecord({ immutableTill: 'soon' })).immutableUntil).toBeNull();
      expect(point(vmRecord({ immutableTill: 17 })).immutableUntil).toBeNull();
    });
  });

  describe('records that are not records', () => {
    it.each([
      ['null', null],
      ['a number', 42],
      ['a string', 'x'],
      ['an array', []],
      ['an array of a record', [vmRecord()]],
      ['undefined', undefined],
      ['a boolean', false],
    ])('%s is skipped with a reason', (_label, raw) => {
      const reason = skipReason(raw);
      expect(reason).toMatch(/^record: /);
    });

    it('an empty object is skipped for its id', () => {
      expect(skipReason({})).toMatch(/^id: /);
    });
  });

  describe('hostile names', () => {
    // Escaping for Slack is the renderer's job: the model keeps what the appliance said.
    it.each([
      '<!channel> *urgent* <https://evil.example|click>',
      '`code` _it_ ~strike~ > quote',
      '&lt;already&gt; & <',
      'vm\nnewline\ttab',
      '\u202Egnp.exe',
      '名前-😀',
      ' padded ',
      '<@U12345>',
    ])('%j is kept verbatim', (name) => {
      expect(point(vmRecord({ vmName: name })).workload?.name).toBe(name);
      expect(point(sqlRecord({ sqlServerName: name, databaseName: name }), 'sql').workload?.name).toBe(`${name}/${name}`);
    });

    it('a hostile destination and type are kept verbatim', () => {
      const hostile = point(vmRecord({ backupDestination: '<!here>', type: '*Full*' }));
      expect(hostile.destination).toBe('<!here>');
      expect(hostile.type).toBe('*Full*');
    });
  });
});

describe('parseApiTime', () => {
  it.each([
    ['2026-03-10T03:00:00Z', '2026-03-10T03:00:00.000Z'],
    ['2026-03-10T03:00:00.5Z', '2026-03-10T03:00:00.500Z'],
    ['2026-03-10T03:00:00.1234567Z', '2026-03-10T03:00:00.123Z'],
    ['2026-03-10T03:00:00', '2026-03-10T03:00:00.000Z'],
    ['2026-03-10T05:30:00+02:30', '2026-03-10T03:00:00.000Z'],
    ['2026-03-10T05:30:00+0230', '2026-03-10T03:00:00.000Z'],
    ['2026-03-10T00:30:00-02:30', '2026-03-10T03:00:00.000Z'],
    ['2026-03-10T03:00Z', '2026-03-10T03:00:00.000Z'],
    ['2026-03-10T03:00', '2026-03-10T03:00:00.000Z'],
    ['2026-03-01T00:30:00+01:00', '2026-02-28T23:30:00.000Z'],
    ['2028-02-29T12:00:00Z', '2028-02-29T12:00:00.000Z'],
  ])('%s', (text, iso) => expect(parseApiTime(text)).toBe(at(iso)));

  it.each([
    null,
    undefined,
    '',
    '1',
    'garbage',
    '2026-13-45T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-03-00T00:00:00Z',
    '2026-02-30T00:00:00Z',
    '2026-06-31T00:00:00',
    '2100-02-29T00:00:00Z',
    '2026-03-10T25:00:00Z',
    '2026-03-10T03:00:61Z',
    '2026-03-10',
    '03:00:00',
    '2026-03-10T03:00:00+2',
    '2026-03-10T03:00:00 Z',
    'Tue, 10 Mar 2026 03:00:00 GMT',
    '1773108000000',
    '+002026-03-10T03:00:00Z',
  ])('%j is not an API time', (text) => expect(parseApiTime(text)).toBeNull());
});

describe('parseSize', () => {
  it.each([
    [0, 0],
    [1, 1],
    [5368709120, 5368709120],
    [12.99, 12],
    ['0', 0],
    ['5368709120', 5368709120],
    [' 7 ', 7],
    ['9007199254740992', 2 ** 53],
    ['1234567890123456789', null],
    [1e308, null],
  ])('%j → %d', (value, expected) => expect(parseSize(value)).toBe(expected));

  it.each([
    null,
    undefined,
    -1,
    -0.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    '',
    ' ',
    '-1',
    '+1',
    '1.5',
    '1,024',
    '1e3',
    '0x1F',
    '12 GB',
    'NaN',
    'Infinity',
    '12345678901234567890',
    '9'.repeat(400),
  ])('%j → null', (value) => expect(parseSize(value)).toBeNull());
});

describe('toJobSession', () => {
  const sessionBody = (extra: Record<string, unknown> = {}) => ({
    id: '5e551000-0000-4000-8000-000000000007',
    type: 'PolicyBackup',
    localizedType: 'Backup',
    executionStartTime: '2026-03-10T03:00:00Z',
    executionStopTime: '2026-03-10T03:23:00Z',
    executionDuration: '00:03:12.1234567',
    status: 'Success',
    backupJobInfo: { policyId: 'p', policyName: 'Nightly backup to blob', policyType: 'VirtualMachines', protectedInstancesCount: 12, policyRemoved: false },
    _links: { self: { href: '/api/v8.1/jobSessions/5e551000-0000-4000-8000-000000000007' } },
    ...extra,
  });

  it('a v8.1 session', () => {
    expect(toJobSession(sessionBody(), APPLIANCE, 'asked')).toEqual({
      appliance: APPLIANCE,
      id: '5e551000-0000-4000-8000-000000000007',
      type: 'PolicyBackup',
      localizedType: 'Backup',
      status: 'Success',
      startedAt: at('2026-03-10T03:00:00Z'),
      stoppedAt: at('2026-03-10T03:23:00Z'),
      durationMs: 3 * 60_000 + 12_000 + 123,
      policyName: 'Nightly backup to blob',
      protectedInstances: 12,
    });
  });

  it('a v1 session: a numeric-string id, a day-long time span', () => {
    const session = toJobSession(sessionBody({ id: '37', executionDuration: '1.02:03:04' }), APPLIANCE, '37');
    expect(session).toMatchObject({ id: '37', durationMs: 93_784_000 });
  });

  it('a numeric id becomes a string', () => {
    expect(toJobSession(sessionBody({ id: 37 }), APPLIANCE, 'asked')?.id).toBe('37');
  });

  it('a missing id is the id that was asked for', () => {
    expect(toJobSession(sessionBody({ id: null }), APPLIANCE, 'asked')?.id).toBe('asked');
    expect(toJobSession({}, APPLIANCE, 'asked')?.id).toBe('asked');
  });

  it.each([
    ['milliseconds as a number', 4200, 4200],
    ['milliseconds as digits', '4200', 4200],
    ['a zero time span', '00:00:00', 0],
    ['a time span with a fraction', '00:00:01.5', 1500],
  ])('duration from %s', (_label, executionDuration, ms) => {
    expect(toJobSession(sessionBody({ executionDuration }), APPLIANCE, 'x')?.durationMs).toBe(ms);
  });

  it.each([
    ['missing', undefined],
    ['null', null],
    ['garbage', 'soon'],
    ['negative', '-00:01:00'],
    ['a negative number', -5],
    ['an object', { ticks: 1 }],
  ])('a duration that is %s falls back to stop − start', (_label, executionDuration) => {
    const body: Record<string, unknown> = sessionBody({ executionDuration });
    if (executionDuration === undefined) delete body['executionDuration'];
    expect(toJobSession(body, APPLIANCE, 'x')?.durationMs).toBe(23 * 60_000);
  });

  it('no duration when it cannot be measured either', () => {
    expect(toJobSession(sessionBody({ executionDuration: null, executionStopTime: null }), APPLIANCE, 'x')?.durationMs).toBeNull();
    expect(toJobSession(sessionBody({ executionDuration: null, executionStartTime: 'garbage' }), APPLIANCE, 'x')?.durationMs).toBeNull();
    // A stop before the start is no duration.
    expect(
      toJobSession(sessionBody({ executionDuration: null, executionStopTime: '2026-03-10T02:00:00Z' }), APPLIANCE, 'x')?.durationMs,
    ).toBeNull();
  });

  it('a session still running has no stop time', () => {
    const session = toJobSession(sessionBody({ status: 'Running', executionStopTime: null, executionDuration: null }), APPLIANCE, 'x');
    expect(session).toMatchObject({ status: 'Running', stoppedAt: null, durationMs: null });
  });

  it.each(['Success', 'Warning', 'Error', 'RunningWithWarning', 'Canceled', 'NeverExecuted', 'SomethingNew', '<!channel>'])(
    'the status %j is kept',
    (status) => {
      expect(toJobSession(sessionBody({ status }), APPLIANCE, 'x')?.status).toBe(status);
    },
  );

  it.each([
    ['missing', undefined],
    ['null', null],
    ['not a string', 3],
  ])('a status that is %s is Unknown', (_label, status) => {
    const body: Record<string, unknown> = sessionBody({ status });
    if (status === undefined) delete body['status'];
    expect(toJobSession(body, APPLIANCE, 'x')?.status).toBe('Unknown');
  });

  it('odd fields degrade to null, not to a failure', () => {
    const session = toJobSession(
      sessionBody({ type: 5, localizedType: [], executionStartTime: 'x', backupJobInfo: 'nope' }),
      APPLIANCE,
      'x',
    );
    expect(session).toMatchObject({ type: null, localizedType: null, startedAt: null, policyName: null, protectedInstances: null });
    expect(
      toJobSession(sessionBody({ backupJobInfo: { policyName: 9, protectedInstancesCount: 'many' } }), APPLIANCE, 'x'),
    ).toMatchObject({ policyName: null, protectedInstances: null });
  });

  it.each([
    ['null', null],
    ['a number', 42],
    ['a string', 'x'],
    ['an array', []],
    ['undefined', undefined],
    ['an id that is an object', { id: { value: 1 } }],
  ])('a malformed body (%s) is null', (_label, body) => {
    expect(toJobSession(body, APPLIANCE, 'x')).toBeNull();
  });
});

describe('never throws', () => {
  const anyValue = fc.oneof(
    fc.string(),
    fc.constantFrom('', ' ', '%', '%E0%A4%A', '2026-02-30T00:00:00Z', '00:03:12.1234567', '-1', '9'.repeat(30)),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.jsonValue(),
  );
  const fields = ['id', 'pointInTime', 'backupSizeBytes', 'sizeInBytes', 'backupDestination', 'type', 'isCorrupted', 'state', 'jobSessionId', 'immutableTill', 'vmName', 'databaseName', 'sqlServerName', 'fileShareName', 'accountName'] as const;
  const recordLike = fc.record(Object.fromEntries(fields.map((field) => [field, anyValue])), { requiredKeys: [] });
  const withLinks = fc.record({
    id: fc.uuid(),
    pointInTime: fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
    _links: fc.oneof(fc.jsonValue(), fc.record({ BackupJob: fc.record({ href: fc.string().map((tail) => `/api/v1/jobSessions/${tail}`) }) })),
  });
  const kinds = fc.constantFrom<WorkloadKind>('vm', 'sql', 'fileShare', 'cosmosDb');

  it('toRestorePoint answers a point or a reason for anything', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), recordLike, withLinks), kinds, (raw, kind) => {
        const result = convert(raw, kind);
        if (!result.ok) return typeof result.reason === 'string' && result.reason.length > 0;
        const converted = result.point;
        return (
          typeof converted.id === 'string' &&
          converted.id.length > 0 &&
          Number.isFinite(converted.pointInTime) &&
          (converted.sizeBytes === null || (Number.isInteger(converted.sizeBytes) && converted.sizeBytes >= 0)) &&
          typeof converted.destination === 'string' &&
          converted.destination.trim().length > 0 &&
          (converted.jobSessionId === null || converted.jobSessionId.trim().length > 0)
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('toJobSession answers a session or null for anything', () => {
    const sessionLike = fc.record(
      Object.fromEntries(['id', 'type', 'localizedType', 'status', 'executionStartTime', 'executionStopTime', 'executionDuration', 'backupJobInfo'].map((field) => [field, anyValue])),
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.anything(), sessionLike), (raw) => {
        const session = toJobSession(raw, APPLIANCE, 'asked');
        return session === null || (typeof session.status === 'string' && (session.durationMs === null || session.durationMs >= 0));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('a blank session id in the v1 link', () => {
  it('is no session id (found by the property test above)', () => {
    const result = convert({ id: 'x', pointInTime: '1970-01-01T00:00:00.000Z', _links: { BackupJob: { href: '/api/v1/jobSessions/ ' } } });
    expect(result.ok && result.point.jobSessionId).toBeNull();
  });
});
