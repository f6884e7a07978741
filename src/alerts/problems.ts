/**
 * What is wrong right now, as a set of problems with stable keys: the watch compares one set
 * with the next, so a problem is said once when it appears and once when it goes away. Pure:
 * the summary and `now` come in.
 */
import type { Summary, WorkloadSummary } from '../restore-points/summary.ts';

export const PROBLEM_KINDS = ['unreadable', 'stale', 'no-usable-point', 'corrupted-newest', 'failed-session', 'unprotected'] as const;
export type ProblemKind = (typeof PROBLEM_KINDS)[number];

export interface ProblemWorkload {
  readonly kind: string;
  /** The appliance's id for the workload; null when the API names none (then kind+name identify it). */
  readonly id: string | null;
  readonly name: string;
}

export interface ProblemSession {
  readonly id: string;
  /** Error, Warning… when known. */
  readonly status: string | null;
}

export interface Problem {
  /** Stable across watches: appliance, kind, workload key, destination. */
  readonly key: string;
  readonly kind: ProblemKind;
  readonly appliance: string;
  readonly workload: ProblemWorkload | null;
  readonly destination: string | null;
  /** When it began as far as the appliance's data tells (epoch ms); null: from when the watch first saw it. */
  readonly since: number | null;
  /** Why, in a sentence (raw text from outside: escaped where it is rendered). */
  readonly reason: string;
  /** What a change of the problem is measured by: when it differs from the last watch's, the thread is told. */
  readonly state: string;
  /** The job session behind it, for the Open session button. */
  readonly session: ProblemSession | null;
}

/** What one watch saw. */
export interface Observation {
  readonly problems: readonly Problem[];
  /**
   * Appliances that could not be read (fully): their other problems can be neither confirmed nor
   * resolved by this watch, so they are held as they were.
   */
  readonly held: readonly string[];
}

/** A workload's identity: the appliance's id when it gives one, else its kind and name. */
export function workloadKey(workload: { readonly kind: string; readonly name: string; readonly id?: string | null }): string {
  return workload.id ?? `${workload.kind}:${workload.name}`;
}

export function problemKey(appliance: string, kind: ProblemKind, workload: ProblemWorkload | null, destination: string | null): string {
  // JSON, not a separator: names may contain any character.
  return JSON.stringify([appliance, kind, workload ? workloadKey(workload) : null, destination]);
}

function problem(fields: Omit<Problem, 'key'>): Problem {
  return { key: problemKey(fields.appliance, fields.kind, fields.workload, fields.destination), ...fields };
}

function workloadOf(workload: Pick<WorkloadSummary, 'kind' | 'id' | 'name'>): ProblemWorkload {
  return { kind: workload.kind, id: workload.id, name: workload.name };
}

const hours = (seconds: number) => (seconds % 3600 === 0 ? `${seconds / 3600}h` : `${Math.round(seconds / 60)}m`);

/**
 * The problems a summary shows. An appliance with an error yields only its "cannot be read"
 * problem: what was read of it is incomplete, and a workload missing from a partial read is not stale.
 */
export function problemsOf(summary: Summary, _now: number): Observation {
  const problems: Problem[] = [];
  const held: string[] = [];
  for (const appliance of summary.appliances) {
    if (appliance.error !== null) {
      held.push(appliance.name);
      problems.push(
        problem({
          kind: 'unreadable',
          appliance: appliance.name,
          workload: null,
          destination: null,
          since: null,
          reason: appliance.error,
          // Numbers in the sentence (seconds waited, attempts) change every time; the sentence's gist does not.
          state: appliance.error.replace(/\d+(\.\d+)?/g, '#'),
          session: null,
        }),
      );
      continue;
    }
    const thresholds = new Map(appliance.destinations.map((destination) => [destination.destination, destination.staleAfterSeconds]));
    for (const workload of appliance.workloads) {
      for (const [destination, where] of Object.entries(workload.destinations)) {
        const identity = workloadOf(workload);
        const threshold = thresholds.get(destination) ?? null;
        if (where.latest === null && where.restorePoints > 0) {
          problems.push(
            problem({
              kind: 'no-usable-point',
              appliance: appliance.name,
              workload: identity,
              destination,
              since: null,
              reason: `All ${where.restorePoints} of its ${destination} restore point${where.restorePoints === 1 ? ' is' : 's are'} corrupted: none can be restored from.`,
              state: 'none-usable',
              session: null,
            }),
          );
        } else if (where.newest?.corrupted && where.latest !== null) {
          // Stale or not, a newest point that cannot be restored from is news of its own.
          problems.push(
            problem({
              kind: 'corrupted-newest',
              appliance: appliance.name,
              workload: identity,
              destination,
              since: Date.parse(where.newest.pointInTime),
              reason: `Its newest ${destination} point (taken ${where.newest.pointInTime}) is corrupted; the newest usable one was taken ${where.latest.pointInTime}.`,
              state: `newest:${where.newest.id}`,
              session: where.newest.jobSessionId ? { id: where.newest.jobSessionId, status: null } : null,
            }),
          );
        }
        if (where.stale && where.latest !== null) {
          const taken = Date.parse(where.latest.pointInTime);
          problems.push(
            problem({
              kind: 'stale',
              appliance: appliance.name,
              workload: identity,
              destination,
              since: threshold === null ? null : taken + threshold * 1000,
              reason: `Its newest usable ${destination} point is older than the ${threshold === null ? '' : `${hours(threshold)} `}threshold (taken ${where.latest.pointInTime}).`,
              state: `latest:${where.latest.id}`,
              session: where.latest.jobSessionId ? { id: where.latest.jobSessionId, status: null } : null,
            }),
          );
        }
      }
      const failure = workload.lastFailure;
      // Only while nothing has succeeded since: an older failure of a workload backed up again is history.
      if (failure !== null && (workload.trouble === 'Error' || workload.trouble === 'Warning')) {
        const about = [failure.status, failure.policy].filter(Boolean).join(' · ');
        const why = failure.message?.trim() || 'the appliance logged no reason';
        problems.push(
          problem({
            kind: 'failed-session',
            appliance: appliance.name,
            workload: workloadOf(workload),
            destination: null,
            since: failure.startedAt === null ? null : Date.parse(failure.startedAt),
            reason: about ? `${about}: ${why}` : why,
            state: `session:${failure.sessionId}`,
            session: { id: failure.sessionId, status: failure.status },
          }),
        );
      }
    }
    for (const vm of appliance.coverage?.unprotected ?? []) {
      problems.push(
        problem({
          kind: 'unprotected',
          appliance: appliance.name,
          workload: { kind: vm.kind, id: vm.id, name: vm.name },
          destination: null,
          since: null,
          reason: 'The appliance knows this VM, but it has no restore point at all: no policy covers it, or none has run for it yet.',
          state: 'unprotected',
          session: null,
        }),
      );
    }
  }
  return { problems, held };
}

/** A short title, plain text (escaped where it is rendered). */
export function problemTitle(problem: Pick<Problem, 'kind' | 'appliance' | 'workload' | 'destination'> & { readonly session?: ProblemSession | null }): string {
  const name = problem.workload?.name ?? '';
  const where = problem.destination ? ` in ${problem.destination}` : '';
  switch (problem.kind) {
    case 'unreadable':
      return `${problem.appliance} cannot be read`;
    case 'stale':
      return `${name} is stale${where} on ${problem.appliance}`;
    case 'no-usable-point':
      return `${name} has no usable point${where} on ${problem.appliance}`;
    case 'corrupted-newest':
      return `${name}'s newest point${where} is corrupted on ${problem.appliance}`;
    case 'failed-session':
      // A warning is not a failure: the title says which it was.
      return `${name ? `${name}: ` : ''}${/^warning$/i.test(problem.session?.status ?? '') ? 'a backup session ended with a warning' : 'a backup session failed'} on ${problem.appliance}`;
    case 'unprotected':
      return `${name} has no restore point at all on ${problem.appliance}`;
  }
}

/** What made a problem go away, told in its thread; from the summary that no longer shows it. */
export function resolutionOf(problem: Problem, summary: Summary): string {
  const appliance = summary.appliances.find((candidate) => candidate.name === problem.appliance);
  if (!appliance) return `${problem.appliance} is no longer watched (removed from the configuration).`;
  if (problem.kind === 'unreadable') return `${problem.appliance} was read again without error.`;
  const key = problem.workload ? workloadKey(problem.workload) : null;
  const workload = appliance.workloads.find((candidate) => workloadKey(workloadOf(candidate)) === key);
  if (problem.kind === 'unprotected') {
    return workload ? 'It now has a restore point.' : 'It is no longer in the appliance\'s inventory (deleted, or moved to another subscription).';
  }
  if (!workload) return 'The workload no longer has restore points on this appliance (removed, or its points expired).';
  if (problem.kind === 'failed-session') {
    return workload.lastFailure === null
      ? 'No failed or warning session of it remains in the failure window.'
      : 'A backup made after the failed session succeeded.';
  }
  const where = problem.destination ? workload.destinations[problem.destination] : undefined;
  if (problem.kind === 'corrupted-newest' && where?.newest && !where.newest.corrupted) {
    return `A usable ${problem.destination} point taken ${where.newest.pointInTime} is now the newest.`;
  }
  if (problem.destination && !where) return `The workload no longer has ${problem.destination} points.`;
  if (where?.latest) return `A usable ${problem.destination ?? ''} point taken ${where.latest.pointInTime} is now the latest.`.replace('  ', ' ');
  return 'The appliance no longer reports it.';
}
