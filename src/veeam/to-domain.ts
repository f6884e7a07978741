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

export function parseApiTime(value: string | null | undefined): number | null {
  if (!value) return null;
  const match = ISO_DATE_TIME.exec(value);
  if (!match) return null;
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  if (!dayExists(year, month, day)) return null;
  const ms = Date.parse(match[1] ? value : `${value}Z`);
  return Number.isNaN(ms) ? null : ms;
}

/** Sizes are int64 in v8.1 and "string" in the v1 table; negative or garbage means unknown. */
export function parseSize(value: number | string | null | undefined): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : null;
  if (typeof value === 'string' && /^\d{1,19}$/.test(value.trim())) return Number(value.trim());
  return null;
}

function workloadName(record: WireRestorePoint, kind: WorkloadKind): string | null {
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

/** Workloads are shared by every point of the same VM: one object each, not one per point. */
export type WorkloadInterner = (kind: WorkloadKind, name: string) => Workload;

export function createWorkloadInterner(): WorkloadInterner {
  const byKind = new Map<WorkloadKind, Map<string, Workload>>();
  return (kind, name) => {
    let byName = byKind.get(kind);
    if (!byName) byKind.set(kind, (byName = new Map()));
    let workload = byName.get(name);
    if (!workload) byName.set(name, (workload = { kind, name }));
    return workload;
  };
}

export function toRestorePoint(
  raw: unknown,
  kind: WorkloadKind,
  appliance: string,
  intern: WorkloadInterner,
): PointConversion {
  const parsed = wireRestorePoint.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: issue ? `${issue.path.join('.') || 'record'}: ${issue.message}` : 'not an object' };
  }
  const record = parsed.data;
  const pointInTime = parseApiTime(record.pointInTime);
  if (pointInTime === null) return { ok: false, reason: `pointInTime: not a date-time (${JSON.stringify(record.pointInTime.slice(0, 40))})` };
  const name = workloadName(record, kind);
  return {
    ok: true,
    point: {
      appliance,
      id: record.id,
      workload: name === null ? null : intern(kind, name),
      pointInTime,
      sizeBytes: parseSize(record.backupSizeBytes ?? record.sizeInBytes),
      destination: record.backupDestination?.trim() || 'Unknown',
      type: record.type ?? null,
      corrupted: record.isCorrupted === true || record.state === 'Corrupted',
      immutableUntil: parseApiTime(record.immutableTill),
      // An empty id would ask for /jobSessions/ (the list): treat it as absent.
      jobSessionId: (record.jobSessionId?.trim() ? record.jobSessionId : null) ?? sessionIdFromLinks(record._links),
    },
  };
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
