/**
 * Wire records → the domain model, once, at the edge. A record without an id or a readable
 * time is not a restore point anyone can use: it is reported as skipped, never thrown.
 */
import type { JobSession, RestorePoint, Workload, WorkloadKind } from '../restore-points/model.ts';
import { parseTimeSpan } from './time-span.ts';
import { wireJobSession, wireRestorePoint, type WireRestorePoint } from './wire.ts';

export type PointConversion =
  | { readonly ok: true; readonly point: RestorePoint }
  | { readonly ok: false; readonly reason: string };

/** ISO 8601 date-time, with or without an offset; no offset means UTC (the API's convention). */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Date.parse rolls 2026-02-30 over to March 2; a day the month does not have is no date. */
function dayExists(year: number, month: number, day: number): boolean {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const last = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  return last !== undefined && day >= 1 && day <= last;
}

/**
 * Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm); `month` is 1–12.
 * Exact for every year Date can hold, years 0–99 included (Date.UTC would read those as 19xx).
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Two ASCII digits at `at` as a number, or -1. */
function twoDigits(value: string, at: number): number {
  const tens = value.charCodeAt(at) - 48;
  const ones = value.charCodeAt(at + 1) - 48;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1;
}

/**
 * The form every appliance sends, `YYYY-MM-DDTHH:MM:SSZ` or `…SS.fffZ`, read without a regular
 * expression or Date.parse (a million points are read per large appliance). Undefined when the
 * value is not exactly that form with in-range fields: the general path then decides.
 */
function canonicalApiTime(value: string): number | undefined {
  const length = value.length;
  if (length !== 20 && length !== 24) return undefined;
  if (value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45 || value.charCodeAt(10) !== 84) return undefined; // - - T
  if (value.charCodeAt(13) !== 58 || value.charCodeAt(16) !== 58 || value.charCodeAt(length - 1) !== 90) return undefined; // : : Z
  const century = twoDigits(value, 0);
  const yy = twoDigits(value, 2);
  const month = twoDigits(value, 5);
  const day = twoDigits(value, 8);
  const hour = twoDigits(value, 11);
  const minute = twoDigits(value, 14);
  const second = twoDigits(value, 17);
  if (century < 0 || yy < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return undefined;
  }
  let millis = 0;
  if (length === 24) {
    if (value.charCodeAt(19) !== 46) return undefined; // .
    const hundreds = value.charCodeAt(20) - 48;
    const rest = twoDigits(value, 21);
    if (hundreds < 0 || hundreds > 9 || rest < 0) return undefined;
    millis = hundreds * 100 + rest;
  }
  const year = century * 100 + yy;
  if (!dayExists(year, month, day)) return undefined;
  return daysFromCivil(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis;
}

export function parseApiTime(value: string | null | undefined): number | null {
  if (!value) return null;
  const canonical = canonicalApiTime(value);
  if (canonical !== undefined) return canonical;
  return parseApiTimeGeneral(value);
}

/** Every form parseApiTime accepts; parseApiTime reads the canonical one faster, to the same result. */
export function parseApiTimeGeneral(value: string | null | undefined): number | null {
  if (!value) return null;
  const match = ISO_DATE_TIME.exec(value);
  if (!match) return null;
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  if (!dayExists(year, month, day)) return null;
  const ms = Date.parse(match[1] ? value : `${value}Z`);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * The largest size believed: 2^53 bytes (8 PiB) is beyond any restore point, and past it a
 * number no longer holds every integer, so sums would round.
 */
export const MAX_BELIEVABLE_SIZE = 2 ** 53;

/**
 * Sizes are int64 in v8.1 and "string" in the v1 table. Negative, garbage, not finite or above
 * 2^53 means unknown: one absurd size must not turn a total into Infinity or a rounded number.
 */
export function parseSize(value: number | string | null | undefined): number | null {
  const size = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,19}$/.test(value.trim()) ? Number(value.trim()) : null;
  if (size === null || !Number.isFinite(size) || size < 0 || size > MAX_BELIEVABLE_SIZE) return null;
  return Math.floor(size);
}

function workloadName(record: Omit<WireRestorePoint, '_links'>, kind: WorkloadKind): string | null {
  switch (kind) {
    case 'vm':
      return record.vmName || null;
    case 'sql':
      if (!record.databaseName) return null;
      return record.sqlServerName ? `${record.sqlServerName}/${record.databaseName}` : record.databaseName;
    case 'fileShare':
      return record.fileShareName || null;
    case 'cosmosDb':
      return record.accountName || null;
  }
}

/** v1 names the session only in `_links.BackupJob.href` (…/jobSessions/37). */
function sessionIdFromLinks(links: WireRestorePoint['_links']): string | null {
  const href = links?.['BackupJob']?.href;
  if (!href) return null;
  const match = /\/jobSessions\/([^/?#]+)/i.exec(href);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]!).trim() || null;
  } catch {
    return null; // a malformed escape: no usable session id, and no reason to lose the point
  }
}

/**
 * Workloads are shared by every point of the same workload: one object each, not one per point.
 * Keyed by the appliance's id when the record (or the identity resolver) gives one, else by name.
 */
export type WorkloadInterner = (kind: WorkloadKind, name: string, id?: string | null, context?: string | null) => Workload;

export function createWorkloadInterner(): WorkloadInterner {
  const byKind = new Map<WorkloadKind, Map<string, Workload>>();
  // A collection is one kind: its map is kept at hand.
  let lastKind: WorkloadKind | null = null;
  let lastByKey = new Map<string, Workload>();
  return (kind, name, id, context) => {
    if (kind !== lastKind) {
      let byKey = byKind.get(kind);
      if (!byKey) byKind.set(kind, (byKey = new Map()));
      lastKind = kind;
      lastByKey = byKey;
    }
    const key = id ? `id:${id}` : name;
    let workload = lastByKey.get(key);
    if (!workload) lastByKey.set(key, (workload = id ? { kind, name, id, context: context ?? null } : { kind, name }));
    return workload;
  };
}

/** Says which workload a VM point belongs to when its name alone cannot (see identity.ts). */
export type VmIdentity = (name: string, pointId: string) => { readonly id: string; readonly context: string | null } | null;

/** The appliance's id and distinguishing context for a non-VM record, when it names one. */
function recordIdentity(record: WireFields, kind: WorkloadKind): { id: string | null; context: string | null } {
  switch (kind) {
    case 'vm':
      return { id: null, context: null };
    case 'sql':
      return { id: record.databaseId || null, context: record.sqlServerName || null };
    case 'fileShare':
      return { id: record.fileShareId || null, context: null };
    case 'cosmosDb':
      return { id: record.accountId || null, context: null };
  }
}

export function toRestorePoint(
  raw: unknown,
  kind: WorkloadKind,
  appliance: string,
  intern: WorkloadInterner,
  destinationFromType = false,
  vmIdentity: VmIdentity | null = null,
): PointConversion {
  if (isPlainRecord(raw)) {
    const session = nonBlank(raw.jobSessionId);
    if (session !== null) return toPoint(raw, session, kind, appliance, intern, destinationFromType, vmIdentity);
    const links = plainLinks(raw._links);
    if (links !== false) return toPoint(raw, sessionIdFromLinks(links), kind, appliance, intern, destinationFromType, vmIdentity);
  }
  return toRestorePointViaSchema(raw, kind, appliance, intern, destinationFromType, vmIdentity);
}

/**
 * The same conversion, always validated by the zod schema (`wireRestorePoint`). toRestorePoint
 * answers exactly this, faster for the records real appliances send; the tests prove it.
 */
export function toRestorePointViaSchema(
  raw: unknown,
  kind: WorkloadKind,
  appliance: string,
  intern: WorkloadInterner,
  destinationFromType = false,
  vmIdentity: VmIdentity | null = null,
): PointConversion {
  const parsed = wireRestorePoint.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: issue ? `${issue.path.join('.') || 'record'}: ${issue.message}` : 'not an object' };
  }
  const record = parsed.data;
  return toPoint(record, nonBlank(record.jobSessionId) ?? sessionIdFromLinks(record._links), kind, appliance, intern, destinationFromType, vmIdentity);
}

/** An empty or blank session id would ask for /jobSessions/ (the list): it is no session id. */
function nonBlank(id: string | null | undefined): string | null {
  return id?.trim() ? id : null;
}

/** A record's fields as the schema makes them, but for `_links` (only read for the session id). */
type WireFields = Omit<WireRestorePoint, '_links'>;

/**
 * `destinationFromType`: the collection's records name no destination (Cosmos DB continuous
 * points have no `backupDestination` in v8.1), so their type ("Continuous") stands for it rather
 * than mixing them with points whose destination really is unknown.
 */
function toPoint(
  record: WireFields,
  jobSessionId: string | null,
  kind: WorkloadKind,
  appliance: string,
  intern: WorkloadInterner,
  destinationFromType: boolean,
  vmIdentity: VmIdentity | null,
): PointConversion {
  const pointInTime = parseApiTime(record.pointInTime);
  if (pointInTime === null) return { ok: false, reason: `pointInTime: not a date-time (${JSON.stringify(record.pointInTime.slice(0, 40))})` };
  const name = workloadName(record, kind);
  const identity = name === null ? null : kind === 'vm' ? vmIdentity?.(name, record.id) : recordIdentity(record, kind);
  return {
    ok: true,
    point: {
      appliance,
      id: record.id,
      workload: name === null ? null : intern(kind, name, identity?.id, identity?.context),
      pointInTime,
      sizeBytes: parseSize(record.backupSizeBytes ?? record.sizeInBytes),
      destination: record.backupDestination?.trim() || (destinationFromType ? record.type?.trim() || 'Continuous' : null) || 'Unknown',
      type: record.type ?? null,
      corrupted: record.isCorrupted === true || record.state === 'Corrupted',
      immutableUntil: parseApiTime(record.immutableTill),
      jobSessionId,
      ...(record.accessTier ? { accessTier: record.accessTier } : {}),
    },
  };
}

type Text = string | null | undefined;
const isText = (value: unknown): value is Text => value === undefined || value === null || typeof value === 'string';
const isSize = (value: unknown): value is number | string | null | undefined =>
  isText(value) || (typeof value === 'number' && Number.isFinite(value));

/**
 * True when every field the conversion reads already has the type `wireRestorePoint` expects, so
 * that the schema would hand the record over as it is (unknown fields aside): a few comparisons
 * instead of running the schema on each of a million records. Anything else (no id, a field of
 * another type) goes through the schema, which also says why a record is skipped.
 */
function isPlainRecord(raw: unknown): raw is WireFields & { readonly _links?: unknown } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return false;
  const record = raw as Record<string, unknown>;
  const id = record['id'];
  const isCorrupted = record['isCorrupted'];
  return (
    typeof id === 'string' &&
    id.length > 0 &&
    typeof record['pointInTime'] === 'string' &&
    isSize(record['backupSizeBytes']) &&
    isSize(record['sizeInBytes']) &&
    isText(record['backupDestination']) &&
    isText(record['type']) &&
    isText(record['state']) &&
    isText(record['jobSessionId']) &&
    isText(record['immutableTill']) &&
    isText(record['vmName']) &&
    isText(record['databaseName']) &&
    isText(record['sqlServerName']) &&
    isText(record['fileShareName']) &&
    isText(record['accountName']) &&
    isText(record['accessTier']) &&
    isText(record['databaseId']) &&
    isText(record['fileShareId']) &&
    isText(record['accountId']) &&
    (isCorrupted === undefined || isCorrupted === null || typeof isCorrupted === 'boolean')
  );
}

/**
 * `_links` as the schema reads it, for what the conversion uses (the BackupJob link): absent,
 * null, or an ordinary object of string keys. False for anything the schema should judge.
 */
function plainLinks(links: unknown): WireRestorePoint['_links'] | false {
  if (links === undefined || links === null) return links;
  if (typeof links !== 'object' || Object.getPrototypeOf(links) !== Object.prototype || Object.hasOwn(links, 'constructor')) return false;
  if (Object.getOwnPropertySymbols(links).length > 0) return false;
  // The schema keeps own enumerable keys only, and an entry that is not an object of links is null.
  if (!Object.prototype.propertyIsEnumerable.call(links, 'BackupJob')) return {};
  const entry: unknown = (links as Record<string, unknown>)['BackupJob'];
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return { BackupJob: null };
  const href: unknown = (entry as Record<string, unknown>)['href'];
  return { BackupJob: isText(href) ? { href } : null };
}

export function toJobSession(raw: unknown, appliance: string, requestedId: string): JobSession | null {
  const parsed = wireJobSession.safeParse(raw);
  if (!parsed.success) return null;
  const session = parsed.data;
  const startedAt = parseApiTime(session.executionStartTime);
  const stoppedAt = parseApiTime(session.executionStopTime);
  const measured = parseTimeSpan(session.executionDuration);
  return {
    appliance,
    id: session.id ?? requestedId,
    type: session.type ?? null,
    localizedType: session.localizedType ?? null,
    status: session.status ?? 'Unknown',
    startedAt,
    stoppedAt,
    durationMs: measured ?? (startedAt !== null && stoppedAt !== null && stoppedAt >= startedAt ? stoppedAt - startedAt : null),
    policyName: session.backupJobInfo?.policyName ?? null,
    protectedInstances: session.backupJobInfo?.protectedInstancesCount ?? null,
  };
}
