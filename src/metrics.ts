/**
 * Prometheus metrics, one registry per bot (never prom-client's global one, so that several
 * bots can run in one process, as the tests do). What the bot knows about backups is exported
 * too, so a team can alert on restore points from Prometheus as well as read the digest.
 *
 * Backup gauges are computed at scrape time from each appliance's latest finished reading
 * (no appliance is read for a scrape): ages are counted from the scrape, not from the read.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { summariseReading, type ApplianceReading } from './appliances/reader.ts';
import type { DigestRoute } from './digest/plan.ts';
import type { DigestRun } from './digest/send.ts';
import type { ApplianceSummary } from './restore-points/summary.ts';
import type { SlackUsage } from './slack/deps.ts';
import { alertMetrics } from './alerts/metrics.ts';
import type { AlertMetrics } from './alerts/watch.ts';

export const METRIC_PREFIX = 'restorepoints_';

/** Read durations: from a cached-nothing small appliance to a large one paging for minutes. */
const READ_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export type DigestResult = 'ok' | 'appliance_unreadable' | 'failed_channel' | 'error';
const DIGEST_RESULTS: readonly DigestResult[] = ['ok', 'appliance_unreadable', 'failed_channel', 'error'];
const SLACK_KINDS = ['command', 'mention', 'session'] as const;
const OUTCOMES = ['ok', 'error'] as const;

export interface MetricsOptions {
  readonly now?: () => number;
  /** Process metrics (CPU, memory, event loop, GC) as prom-client names them. Default true. */
  readonly processMetrics?: boolean;
}

export interface BotMetrics {
  readonly registry: Registry;
  /** Give to FleetOptions.onReading: every finished appliance read. */
  readonly onReading: (reading: ApplianceReading) => void;
  /** Give to SlackDeps.usage. */
  readonly usage: SlackUsage;
  /** Give to the alert watch: open problems, alerts sent and failed. */
  readonly alerts: AlertMetrics;
  /** Tell about every digest run: its outcome per channel, or the error that stopped it. */
  digestRan(run: DigestRun | null, error: unknown, routes: readonly DigestRoute[]): void;
  /** Where the backup gauges come from at scrape time: each appliance's latest reading. */
  watch(readings: () => ReadonlyArray<ApplianceReading | null>): void;
  /** The exposition text and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
}

export function createMetrics(options: MetricsOptions = {}): BotMetrics {
  const now = options.now ?? Date.now;
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  let readings: () => ReadonlyArray<ApplianceReading | null> = () => [];

  // One summary per appliance per scrape, shared by every backup gauge's collect().
  let snapshot: { at: number; summaries: ApplianceSummary[]; readings: ApplianceReading[] } | null = null;
  const current = () => {
    const at = now();
    if (snapshot && Math.abs(at - snapshot.at) < 1000) return snapshot;
    const finished = readings().filter((reading): reading is ApplianceReading => reading !== null);
    snapshot = { at, readings: finished, summaries: finished.map((reading) => summariseReading(reading, at)) };
    return snapshot;
  };
  const perDestination = (
    name: string,
    help: string,
    valueOf: (destination: ApplianceSummary['destinations'][number], appliance: ApplianceSummary) => number | null,
  ) =>
    new Gauge({
      name: `${METRIC_PREFIX}${name}`,
      help,
      labelNames: ['appliance', 'destination'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const appliance of current().summaries) {
          for (const destination of appliance.destinations) {
            const value = valueOf(destination, appliance);
            if (value !== null) this.set({ appliance: appliance.name, destination: destination.destination }, value);
          }
        }
      },
    });

  new Gauge({
    name: `${METRIC_PREFIX}appliance_up`,
    help: '1 when the latest read of the appliance succeeded, 0 when it failed (absent before the first read)',
    labelNames: ['appliance'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const reading of current().readings) this.set({ appliance: reading.name }, reading.error ? 0 : 1);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}appliance_last_read_timestamp_seconds`,
    help: 'When the latest read of the appliance finished (Unix time)',
    labelNames: ['appliance'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const reading of current().readings) this.set({ appliance: reading.name }, reading.readAt / 1000);
    },
  });
  perDestination(
    'latest_restore_point_age_seconds',
    'Age of the newest usable (not corrupted) restore point, counted at scrape time (absent when there is none)',
    (destination) => (destination.latest ? (current().at - Date.parse(destination.latest.pointInTime)) / 1000 : null),
  );
  perDestination(
    'latest_restore_point_timestamp_seconds',
    'Point in time of the newest usable (not corrupted) restore point (Unix time; absent when there is none)',
    (destination) => (destination.latest ? Date.parse(destination.latest.pointInTime) / 1000 : null),
  );
  perDestination('stale_after_seconds', 'The staleness threshold of the destination (absent when off)', (destination) => destination.staleAfterSeconds);
  perDestination('destination_stale', '1 when the destination is stale as the digest says (no usable point, or the newest is too old)', (destination) =>
    destination.stale ? 1 : 0,
  );
  perDestination('stale_workloads', 'Workloads whose newest usable point in the destination is too old, or that have none', (destination) => destination.staleWorkloads);
  perDestination('restore_points', 'Restore points in the destination (corrupted ones included)', (destination) => destination.restorePoints);
  perDestination('restore_points_size_bytes', 'Total size of the restore points in the destination', (destination) => destination.totalBytes);

  const readDuration = new Histogram({
    name: `${METRIC_PREFIX}appliance_read_duration_seconds`,
    help: 'Duration of a full read of an appliance (login, version, every restore-point page)',
    labelNames: ['appliance', 'result'] as const,
    buckets: READ_BUCKETS,
    registers: [registry],
  });
  const readErrors = new Counter({
    name: `${METRIC_PREFIX}appliance_read_errors_total`,
    help: 'Reads of an appliance that failed or stopped early',
    labelNames: ['appliance'] as const,
    registers: [registry],
  });
  const handled = new Counter({
    name: `${METRIC_PREFIX}slack_handled_total`,
    help: 'Slash commands, mentions and session buttons answered (outcome ok) or not (error)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  const digests = new Counter({
    name: `${METRIC_PREFIX}digests_total`,
    help: 'Digest messages by result, one per channel: ok, appliance_unreadable (posted, saying an appliance could not be read), failed_channel (not posted); error: a run that failed before posting',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const lastDigest = new Gauge({
    name: `${METRIC_PREFIX}digest_last_posted_timestamp_seconds`,
    help: 'When a digest was last posted to at least one channel (Unix time; absent until then)',
    registers: [registry],
  });

  for (const kind of SLACK_KINDS) for (const outcome of OUTCOMES) handled.inc({ kind, outcome }, 0);
  for (const result of DIGEST_RESULTS) digests.inc({ result }, 0);

  return {
    registry,
    alerts: alertMetrics(registry),
    onReading(reading) {
      const result = reading.error ? 'error' : 'ok';
      readDuration.observe({ appliance: reading.name, result }, reading.durationMs / 1000);
      if (reading.error) readErrors.inc({ appliance: reading.name });
      else readErrors.inc({ appliance: reading.name }, 0);
      snapshot = null;
    },
    usage: {
      handled(kind, outcome) {
        handled.inc({ kind, outcome });
      },
    },
    digestRan(run, error, routes) {
      if (!run) {
        if (error !== null && error !== undefined) digests.inc({ result: 'error' });
        return;
      }
      const unreadable = new Set(run.unreadable);
      for (const outcome of run.outcomes) {
        const covers = routes.find((route) => route.channel === outcome.channel)?.appliances ?? [...unreadable];
        const result: DigestResult = !outcome.ok ? 'failed_channel' : covers.some((name) => unreadable.has(name)) ? 'appliance_unreadable' : 'ok';
        digests.inc({ result });
      }
      if (run.outcomes.some((outcome) => outcome.ok)) lastDigest.set(now() / 1000);
    },
    watch(source) {
      readings = source;
      snapshot = null;
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
