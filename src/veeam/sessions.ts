/**
 * The failed and warning sessions of the failure window, with what each one processed and the
 * appliance's own sentence for what went wrong. Bounded: at most `cap` sessions are read, and
 * every request goes through the client's request slots like any other read.
 */
import type { SessionFailure, WorkloadRef } from '../restore-points/model.ts';
import type { PagedRead } from './inventory.ts';
import { parseApiTime } from './to-domain.ts';
import { wireJobSession, wirePage, wireProtectedItem, wireSessionLog } from './wire.ts';

/** The sessions a failure read reads at most (newest first). */
export const FAILED_SESSIONS_CAP = 50;

const BAD_STATUSES = new Set(['error', 'warning', 'runningwitherror', 'runningwithwarning']);
const isBad = (status: string | null | undefined) => status !== null && status !== undefined && BAD_STATUSES.has(status.toLowerCase());

export interface FailureReadDeps {
  /** GET relative to /api/{version}/, through the request slots. */
  readonly getJson: (path: string, params: URLSearchParams) => Promise<unknown>;
  readonly readPaged: PagedRead;
  readonly cap?: number;
}

/** The log's last Error or Warning line, or null. */
export function lastProblemLine(body: unknown): string | null {
  const parsed = wireSessionLog.safeParse(body);
  if (!parsed.success || !parsed.data.log) return null;
  const lines = parsed.data.log
    .map((item, index) => ({ ...item, index, time: parseApiTime(item.logTime) ?? -Infinity }))
    .filter((item) => isBad(item.status) && item.message?.trim())
    .sort((a, b) => a.time - b.time || a.index - b.index);
  return lines.at(-1)?.message?.trim() ?? null;
}

/** Sessions started at or after `since` that ended Error or Warning, newest first, each with its reason. */
export async function readFailures(deps: FailureReadDeps, since: number): Promise<SessionFailure[]> {
  const cap = deps.cap ?? FAILED_SESSIONS_CAP;
  const params = new URLSearchParams([
    ['Status', 'Error'],
    ['Status', 'Warning'],
    ['FromUtc', new Date(since).toISOString().replace(/\.\d{3}Z$/, 'Z')],
    ['Offset', '0'],
    ['Limit', String(cap)],
  ]);
  const page = wirePage.safeParse(await deps.getJson('jobSessions', params));
  if (!page.success) return [];
  const sessions = page.data.results
    .flatMap((raw) => {
      const parsed = wireJobSession.safeParse(raw);
      if (!parsed.success || !parsed.data.id || !isBad(parsed.data.status)) return [];
      const startedAt = parseApiTime(parsed.data.executionStartTime);
      if (startedAt !== null && startedAt < since) return [];
      return [{ session: parsed.data, id: parsed.data.id, startedAt }];
    })
    .sort((a, b) => (b.startedAt ?? 0) - (a.startedAt ?? 0))
    .slice(0, cap);
  return Promise.all(
    sessions.map(async ({ session, id, startedAt }): Promise<SessionFailure> => {
      const encoded = encodeURIComponent(id);
      const [workloads, message] = await Promise.all([
        failedWorkloads(deps.readPaged, encoded, id).catch(() => []),
        deps.getJson(`jobSessions/${encoded}/log`, new URLSearchParams()).then(lastProblemLine, () => null),
      ]);
      return {
        id,
        status: session.status ?? 'Unknown',
        type: session.type ?? null,
        policyName: session.backupJobInfo?.policyName ?? null,
        startedAt,
        message,
        workloads,
      };
    }),
  );
}

/** The items the session processed whose run in this session ended Error or Warning. */
async function failedWorkloads(read: PagedRead, encodedId: string, id: string): Promise<WorkloadRef[]> {
  const refs: WorkloadRef[] = [];
  await read(`jobSessions/${encodedId}/protectedItems`, {}, (records) => {
    for (const record of records) {
      const parsed = wireProtectedItem.safeParse(record);
      if (!parsed.success) continue;
      const item = parsed.data;
      const name = item.resource?.name || item.resource?.displayName;
      if (!name) continue;
      const run = item.runs?.find((candidate) => candidate.jobSessionId === id);
      const failed = run ? isBad(run.status) : (item.failureCount ?? 0) > 0;
      if (failed) refs.push({ id: item.resource?.id || null, name });
    }
  });
  return refs;
}
