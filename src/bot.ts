/**
 * The running bot: the Slack app, its HTTP routes and the digest schedule around one fleet of
 * appliances. `serve` starts it; end-to-end tests start it in-process against fakes.
 */
import type { Fleet } from './appliances/fleet.ts';
import { openAlerts, type RunningAlerts } from './alerts/start.ts';
import type { StateStore } from './state/store.ts';
import type { ApplianceConfig, Config } from './config/types.ts';
import type { RedisCoordinator } from './digest/redis-coordinator.ts';
import { logDigestDisabled, startDigestSchedule, type DigestSchedule, type PostingFence } from './digest/schedule.ts';
import { planDigest } from './digest/plan.ts';
import { sendDigest, type DigestRun } from './digest/send.ts';
import { freshReadings, readinessCheck } from './http/readiness.ts';
import { healthRoute, metricsRoute, readinessRoute, type ConnectionTimeouts, type Route } from './http/routes.ts';
import { InFlight } from './lib/in-flight.ts';
import { settledWithin } from './lib/timeout.ts';
import type { Logger } from './log.ts';
import { createMetrics, type BotMetrics } from './metrics.ts';
import { startSlackApp, type RunningSlackApp, type SocketModeTimings } from './slack/app.ts';
import { MemoryEventClaims, SharedEventClaims } from './slack/event-deduplication.ts';
import { UserZones } from './slack/user-zones.ts';

export interface BotOptions {
  readonly config: Config;
  readonly fleet: Fleet;
  /** The appliances the fleet reads, with their digest routing (the demo's differ from config's). */
  readonly appliances?: readonly ApplianceConfig[];
  readonly logger: Logger;
  readonly now?: () => number;
  /** Web API retries after the first attempt; default 0 (posts are resent only when Slack said they were not done). */
  readonly webApiRetries?: number;
  /** How long one Web API call may wait for Slack's answer; default 10 s (tests shorten it). */
  readonly webApiTimeoutMs?: number;
  /** Shared by replicas (Redis): one digest per fire, one answer per mention. */
  readonly coordinator?: RedisCoordinator;
  /** Seconds between digest posting retries are Slack's to say; tests shorten the wait. */
  readonly digestSleep?: (ms: number) => Promise<void>;
  /** Told about every digest run (beside the metrics). */
  readonly onDigest?: (run: DigestRun | null, error: unknown) => void;
  /**
   * The bot's metrics. Give the same object's onReading to the fleet (FleetOptions.onReading)
   * for read durations and errors; without it the bot makes its own (backup gauges only).
   */
  readonly metrics?: BotMetrics;
  /** How long /readyz waits for a renewed appliance reading before judging the previous one. */
  readonly readinessWaitMs?: number;
  /** How long stop() waits for the appliances' logouts after the grace (default LOGOUT_TIMEOUT_MS). */
  readonly logoutTimeoutMs?: number;
  /** Socket Mode reconnection and close timings (tests shorten them; production keeps the SDK's). */
  readonly socketMode?: SocketModeTimings;
  /** The HTTP server's idle, keep-alive, header and request timeouts (tests shorten them). */
  readonly httpTimeouts?: ConnectionTimeouts;
  /** The alert state store instead of the configured one (tests). */
  readonly alertStore?: StateStore;
}

export interface Bot {
  readonly port: number;
  readonly slack: RunningSlackApp;
  readonly inFlight: InFlight;
  readonly schedule: DigestSchedule | null;
  readonly metrics: BotMetrics;
  /** The alert watch, when ALERT_CHANNELS is set. */
  readonly alerts: RunningAlerts | null;
  /** The problems /readyz reports; empty when ready. */
  readiness(): Promise<string[]>;
  /** Runs the digest now, as the schedule would (for tests and `digest --post` parity). */
  runDigest(): Promise<DigestRun>;
  /**
   * Stop taking requests and the schedule, let work in flight (answers, a running digest)
   * finish within `graceMs`, log out of each appliance. Calling it again returns the same stop.
   */
  stop(graceMs?: number): Promise<void>;
}

/** Slack's own stop (closing the server or the websocket) is not allowed to hold the shutdown longer. */
const SLACK_STOP_TIMEOUT_MS = 5_000;

/**
 * Logging out of the appliances, after the grace: a read still stuck on a slow appliance keeps
 * its connection busy, and is not waited for longer than this.
 */
export const LOGOUT_TIMEOUT_MS = 3_000;

export async function startBot(options: BotOptions): Promise<Bot> {
  const { config, fleet, logger } = options;
  const now = options.now ?? Date.now;
  const appliances = options.appliances ?? config.appliances;
  const inFlight = new InFlight();
  const metrics = options.metrics ?? createMetrics({ now });
  metrics.watch(() => fleet.readers.map((reader) => reader.last));

  // The routes exist before the Slack app does (Socket Mode serves them while connecting).
  let slack: RunningSlackApp | null = null;
  let stopping: Promise<void> | null = null;
  let alerts: RunningAlerts | null = null;
  const readiness = readinessCheck({
    slack: () => (stopping ? 'stopping' : !slack ? 'starting' : slack.connected() ? null : `not connected (${slack.mode === 'socket' ? 'the Socket Mode connection is down; it reconnects by itself' : 'not listening'})`),
    slackToken: () => (slack && !stopping ? slack.tokenProblem() : Promise.resolve(null)),
    readers: () => fleet.readers,
    alerts: () => alerts?.problem() ?? null,
    ...(options.coordinator ? { redis: () => options.coordinator!.problem() } : {}),
    cacheTtlMs: config.cacheTtlMs,
    now,
    ...(options.readinessWaitMs === undefined ? {} : { waitMs: options.readinessWaitMs }),
  });
  // A scrape renews readings older than the freshness window, so that backup gauges follow new
  // restore points even when nobody asks the bot anything.
  const fresh = freshReadings({ cacheTtlMs: config.cacheTtlMs, now, ...(options.readinessWaitMs === undefined ? {} : { waitMs: options.readinessWaitMs }) });
  const scrape = async () => {
    await fresh(fleet.readers);
    return metrics.render();
  };
  const routes: Route[] = [healthRoute, readinessRoute(readiness), metricsRoute(scrape)];
  alerts = await openAlerts({
    config, fleet, logger, now, metrics: metrics.alerts, client: () => slack?.client ?? null,
    ...(options.alertStore ? { store: options.alertStore } : {}),
  });
  const running = await startSlackApp({
    slack: config.slack,
    port: config.port,
    logger,
    routes,
    ...(options.webApiRetries === undefined ? {} : { webApiRetries: options.webApiRetries }),
    ...(options.webApiTimeoutMs === undefined ? {} : { webApiTimeoutMs: options.webApiTimeoutMs }),
    ...(options.socketMode ? { socketMode: options.socketMode } : {}),
    ...(options.httpTimeouts ? { httpTimeouts: options.httpTimeouts } : {}),
    deps: {
      fleet,
      userZones: new UserZones(logger, now),
      eventClaims: options.coordinator ? new SharedEventClaims(options.coordinator, now) : new MemoryEventClaims(now),
      logger,
      now,
      inFlight,
      usage: metrics.usage,
      ...(alerts ? { alerts: { clicked: alerts.watch.clicked } } : {}),
    },
  });
  slack = running;
  alerts?.watch.start();

  const digestRoutes = planDigest(config.digest.channels, appliances);
  const runDigest = async (fence?: PostingFence): Promise<DigestRun> => {
    try {
      const run = await sendDigest({
        ...(fence ? { mayPost: () => fence.mayPost() } : {}),
        fleet,
        client: running.client,
        channels: config.digest.channels,
        appliances,
        timeZone: config.digest.timeZone,
        now,
        logger,
        ...(alerts ? { snoozed: await alerts.watch.snoozed().catch(() => []) } : {}),
        ...(options.digestSleep ? { posting: { sleep: options.digestSleep } } : {}),
      });
      metrics.digestRan(run, null, digestRoutes);
      options.onDigest?.(run, null);
      return run;
    } catch (error) {
      metrics.digestRan(null, error, digestRoutes);
      options.onDigest?.(null, error);
      throw error;
    }
  };

  const channels = digestRoutes.map((route) => route.channel);
  let schedule: DigestSchedule | null = null;
  if (channels.length === 0) logDigestDisabled(logger);
  else {
    schedule = startDigestSchedule({
      cron: config.digest.cron,
      timeZone: config.digest.timeZone,
      channels,
      logger,
      ...(options.coordinator ? { coordinator: options.coordinator } : {}),
      run: async (_fireTime, fence) => {
        await inFlight.track(runDigest(fence));
      },
    });
  }

  const stop = async (graceMs: number): Promise<void> => {
    const deadline = Date.now() + graceMs;
    const left = () => Math.max(0, deadline - Date.now());
    await schedule?.stop();
    await alerts?.stop();
    if (!(await settledWithin(running.stop(), Math.min(SLACK_STOP_TIMEOUT_MS, Math.max(left(), 1000))))) {
      logger.warn('Slack did not close in time; going on with the shutdown');
    }
    if (inFlight.size > 0) logger.info({ inFlight: inFlight.size, graceMs: left() }, 'waiting for answers and digests in flight');
    const finished = await inFlight.drain(left());
    if (!finished) {
      logger.warn({ left: inFlight.size, graceMs }, 'stopped before all work in flight was done');
      // A digest still reading is given up, and its claim released, so another replica posts it.
      await schedule?.abandon();
    }
    await options.coordinator?.close();
    const logoutMs = options.logoutTimeoutMs ?? LOGOUT_TIMEOUT_MS;
    if (await settledWithin(fleet.close(), logoutMs)) logger.debug('logged out of the appliances');
    else logger.warn({ timeoutMs: logoutMs }, 'logging out of the appliances did not finish in time (a read is still waiting for its appliance)');
  };

  return {
    port: running.port,
    slack: running,
    inFlight,
    schedule,
    metrics,
    alerts,
    readiness,
    runDigest: () => inFlight.track(runDigest()),
    stop(graceMs = 10_000) {
      stopping ??= stop(graceMs);
      return stopping;
    },
  };
}
