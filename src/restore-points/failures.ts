/**
 * Why a workload is stale or failing: the failed and warning sessions of the failure window, and
 * for each workload the newest of them that failed or warned on it. Pure.
 */
import type { SessionFailure, Workload, WorkloadRef } from './model.ts';

/** A session of the window that ended Error or Warning (`failures` in `summary --json`). */
export interface FailureSummary {
  readonly sessionId: string;
  readonly status: string;
  readonly type: string | null;
  readonly policy: string | null;
  /** ISO 8601, UTC; null when the appliance did not say. */
  readonly startedAt: string | null;
  readonly message: string | null;
  /** Names of the workloads it failed or warned on; empty when unknown. */
  readonly workloads: readonly string[];
}

/** A workload's newest failure (`lastFailure`); `policy` is for messages, not the JSON. */
export interface LastFailure {
  readonly sessionId: string;
  readonly status: string;
  readonly startedAt: string | null;
  readonly message: string | null;
  readonly policy: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Newest first (by start; sessions without a start last), then by id: never by arrival order. */
export function summariseFailures(failures: readonly SessionFailure[]): FailureSummary[] {
  return [...failures]
    .sort((a, b) => (b.startedAt ?? -Infinity) - (a.startedAt ?? -Infinity) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((failure) => ({
      sessionId: failure.id,
      status: failure.status,
      type: failure.type,
      policy: failure.policyName,
      startedAt: iso(failure.startedAt),
      message: failure.message,
      workloads: failure.workloads.map((ref) => ref.name),
    }));
}

/** The same workload: by the appliance's id when both name one, else by name. */
function refersTo(ref: WorkloadRef, workload: Workload): boolean {
  if (ref.id && workload.id) return ref.id === workload.id;
  return ref.name === workload.name;
}

/**
 * Finds each workload's newest failure. Built once per summary: failures are few (capped), so a
 * scan per workload over an index by name stays cheap for thousands of workloads.
 */
export function lastFailureFinder(failures: readonly SessionFailure[]): (workload: Workload) => LastFailure | null {
  const byName = new Map<string, Array<{ failure: SessionFailure; ref: WorkloadRef }>>();
  const byId = new Map<string, Array<{ failure: SessionFailure; ref: WorkloadRef }>>();
  for (const failure of failures) {
    for (const ref of failure.workloads) {
      const entry = { failure, ref };
      byName.set(ref.name, [...(byName.get(ref.name) ?? []), entry]);
      if (ref.id) byId.set(ref.id, [...(byId.get(ref.id) ?? []), entry]);
    }
  }
  return (workload) => {
    const candidates = [...(workload.id ? (byId.get(workload.id) ?? []) : []), ...(byName.get(workload.name) ?? [])].filter(({ ref }) =>
      refersTo(ref, workload),
    );
    let newest: SessionFailure | null = null;
    for (const { failure } of candidates) {
      if (newest === null || (failure.startedAt ?? -Infinity) > (newest.startedAt ?? -Infinity)) newest = failure;
    }
    if (newest === null) return null;
    return { sessionId: newest.id, status: newest.status, startedAt: iso(newest.startedAt), message: newest.message, policy: newest.policyName };
  };
}

/** The failures that name a workload containing one of `names` (case-insensitive); all when none given. */
export function failuresMatching(failures: readonly FailureSummary[], names: readonly string[]): FailureSummary[] {
  if (names.length === 0) return [...failures];
  const wanted = names.map((name) => name.toLowerCase());
  return failures.filter((failure) => failure.workloads.some((workload) => wanted.some((name) => workload.toLowerCase().includes(name))));
}
