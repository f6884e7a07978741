/**
 * What a query asks for, applied to a summary: which appliances, destinations and workloads to
 * show. Pure: the renderers (Slack, terminal) only draw what this decides.
 */
import type { Query, QueryProblem } from './query.ts';
import { compareDestinations } from './model.ts';
import type { ApplianceSummary, DestinationSummary, Summary, WorkloadSummary } from './summary.ts';

export interface AnswerTimes {
  /** The real now (epoch ms). */
  readonly now: number;
  /** For `before TIME`: the instant asked about; the summary's ages count from it. */
  readonly asOf: number | null;
}

export interface WorkloadMatch {
  readonly appliance: string;
  readonly workload: WorkloadSummary;
}

export type Answer =
  | { readonly kind: 'help'; readonly problems: readonly QueryProblem[] }
  | { readonly kind: 'not-found'; readonly what: 'appliance' | 'destination' | 'workload'; readonly asked: string; readonly known: readonly string[] }
  | {
      readonly kind: 'overview';
      readonly summary: Summary;
      readonly staleOnly: boolean;
      readonly times: AnswerTimes;
    }
  | {
      readonly kind: 'workloads';
      readonly summary: Summary;
      readonly names: readonly string[];
      readonly matches: readonly WorkloadMatch[];
      readonly staleOnly: boolean;
      readonly times: AnswerTimes;
      /** Appliances whose API version does not name workloads (v1…v3): nothing there can match. */
      readonly unnamed: readonly string[];
      /** Words asked as names that no workload name contains: named in the reply, never dropped silently. */
      readonly ignored?: readonly string[];
      /** Keywords also read as part of a workload name (`share` finds share-finance): the reply says so. */
      readonly keywordsAsNames?: readonly string[];
    }
  /** `unprotected`: the VMs of each appliance's inventory without any restore point. */
  | { readonly kind: 'unprotected'; readonly summary: Summary }
  /** `failed`: the failed and warning sessions of the window, with their reasons; NAME… narrows them. */
  | { readonly kind: 'failed'; readonly summary: Summary; readonly names: readonly string[]; readonly times: AnswerTimes };

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function onlyDestination(appliance: ApplianceSummary, destination: string): ApplianceSummary {
  const destinations: DestinationSummary[] = appliance.destinations.filter((d) => sameName(d.destination, destination));
  const workloads: WorkloadSummary[] = appliance.workloads.flatMap((workload) => {
    const kept = Object.entries(workload.destinations).filter(([name]) => sameName(name, destination));
    if (kept.length === 0) return [];
    const narrowed: Record<string, unknown> = {};
    // Field by field, not spread: spreading would make every workload's recent points (a getter,
    // made on first read), 100–200 ms at 5,000 workloads, though an answer shows a few of them.
    for (const key of Object.keys(workload)) if (key !== 'recent') narrowed[key] = workload[key as keyof WorkloadSummary];
    narrowed['destinations'] = Object.fromEntries(kept);
    narrowed['stale'] = kept.some(([, state]) => state.stale);
    let recent: WorkloadSummary['recent'] | null = null;
    Object.defineProperty(narrowed, 'recent', {
      enumerable: true,
      get: () => (recent ??= workload.recent.filter((point) => sameName(point.destination, destination))),
    });
    return [narrowed as unknown as WorkloadSummary];
  });
  const restorePoints = destinations.reduce((sum, d) => sum + d.restorePoints, 0);
  const totalBytes = destinations.reduce((sum, d) => sum + d.totalBytes, 0);
  const sizedPoints = destinations.reduce((sum, d) => sum + (d.sizedPoints ?? 0), 0);
  return { ...appliance, destinations, workloads, restorePoints, totalBytes, sizedPoints };
}

function knownDestinations(summary: Summary): string[] {
  const names = new Map<string, string>();
  for (const appliance of summary.appliances) for (const d of appliance.destinations) names.set(d.destination.toLowerCase(), d.destination);
  return [...names.values()].sort(compareDestinations);
}

export function answerQuery(query: Query, summary: Summary, times: AnswerTimes): Answer {
  if (query.help || query.problems.length > 0) return { kind: 'help', problems: query.problems };

  let appliances = summary.appliances;
  if (query.appliance !== null) {
    const asked = query.appliance;
    const exact = appliances.filter((a) => sameName(a.name, asked));
    const partial = appliances.filter((a) => a.name.toLowerCase().includes(asked.toLowerCase()));
    appliances = exact.length > 0 ? exact : partial;
    if (appliances.length === 0) return { kind: 'not-found', what: 'appliance', asked, known: summary.appliances.map((a) => a.name) };
  }
  if (query.destination !== null) {
    const asked = query.destination;
    const known = knownDestinations({ ...summary, appliances });
    const destination = known.find((name) => sameName(name, asked));
    if (!destination) return { kind: 'not-found', what: 'destination', asked, known };
    appliances = appliances.map((appliance) => onlyDestination(appliance, destination));
  }
  const scoped: Summary = { ...summary, appliances };

  if (query.unprotected) return { kind: 'unprotected', summary: scoped };
  if (query.failed) return { kind: 'failed', summary: scoped, names: query.names, times };

  // `share` changes only where the answer goes, so when it is the only word that could be a name
  // and a workload name contains it, it is read both ways rather than hiding share-finance.
  const keywordsAsNames = query.names.length === 0 && query.share && anyWorkloadContains(appliances, 'share') ? ['share'] : [];
  const asked = [...query.names, ...keywordsAsNames];
  if (asked.length === 0) return { kind: 'overview', summary: scoped, staleOnly: query.stale, times };

  const unnamed = appliances.filter((a) => a.error === null && a.restorePoints > 0 && a.workloads.length === 0).map((a) => a.name);
  const certain = unnamed.length === 0 && appliances.every((a) => a.error === null);
  // A word no workload name contains is not a filter: named in the reply, so that
  // `vm-web-01 frobnicate` never looks as if frobnicate had been understood.
  const ignored = certain ? asked.filter((name) => !anyWorkloadContains(appliances, name)) : [];
  const names = asked.filter((name) => !ignored.includes(name));
  if (names.length === 0) {
    const known = [...new Set(appliances.flatMap((a) => a.workloads.map((w) => w.name)))].sort();
    return { kind: 'not-found', what: 'workload', asked: query.names.join(' '), known };
  }
  const wanted = names.map((name) => name.toLowerCase());
  const matches: WorkloadMatch[] = appliances.flatMap((appliance) =>
    appliance.workloads
      .filter((workload) => wanted.some((name) => workload.name.toLowerCase().includes(name)))
      .filter((workload) => !query.stale || workload.stale)
      .map((workload) => ({ appliance: appliance.name, workload })),
  );
  return {
    kind: 'workloads',
    summary: scoped,
    names,
    matches,
    staleOnly: query.stale,
    times,
    unnamed,
    ...(ignored.length ? { ignored } : {}),
    ...(keywordsAsNames.length ? { keywordsAsNames } : {}),
  };
}

function anyWorkloadContains(appliances: readonly ApplianceSummary[], name: string): boolean {
  const wanted = name.toLowerCase();
  return appliances.some((appliance) => appliance.workloads.some((workload) => workload.name.toLowerCase().includes(wanted)));
}
