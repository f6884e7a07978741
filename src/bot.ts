/**
 * The running bot: the Slack app, its HTTP routes and the digest schedule around one fleet of
 * appliances. `serve` starts it; end-to-end tests start it in-process against fakes.
 */
import type { Fleet } from './appliances/fleet.ts';
import type { ApplianceConfig, Config } from './config.ts';
import type { RedisCoordinator } from './digest/redis-coordinator.ts';
import { logDigestDisabled, startDigestSchedule, type DigestSchedule } from './digest/schedule.ts';
import { planDigest } from './digest/plan.ts';
import { sendDigest, type DigestRun } from './digest/send.ts';
import { healthRoute, type Route } from './http/routes.ts';
import { InFlight } from './in-flight.ts';
import type { Logger } from './log.ts';
import { startSlackApp, type RunningSlackApp } from './slack/app.ts';
import { MemoryEventClaims, SharedEventClaims } from './slack/event-deduplication.ts';
import { UserZones } from './slack/user-zones.ts';

export interface BotOptions {
  readonly config: Config;
  readonly fleet: Fleet;
  /** The appliances the fleet reads, with their digest routing (the demo's differ from config's). */
  readonly appliances?: readonly ApplianceConfig[];
  readonly logger: Logger;
  readonly now?: () => number;
  /** Web API retries after the first attempt (tests use 0). */
  readonly webApiRetries?: number;
  /** Shared by replicas (Redis): one digest per fire, one answer per mention. */
  readonly coordinator?: RedisCoordinator;
  /** Seconds between digest posting retries are Slack's to say; tests shorten the wait. */
  readonly digestSleep?: (ms: number) => Promise<void>;
  /** Told about every digest run (metrics). */
  readonly onDigest?: (run: DigestRun | null, error: unknown) => void;
}

export interface Bot {
  readonly port: number;
  readonly slack: RunningSlackApp;
  readonly inFlight: InFlight;
  readonly schedule: DigestSchedule | null;
  /** Runs the digest now, as the schedule would (for tests and `digest --post` parity). */
  runDigest(): Promise<DigestRun>;
  /** Stop taking requests and the schedule, let work in flight finish (bounded), log out of appliances. */
  stop(graceMs?: number): Promise<void>;
}

export async function startBot(options: BotOptions): Promise<Bot> {
  const { config, fleet, logger } = options;
  const now = options.now ?? Date.now;
  const appliances = options.appliances ?? config.appliances;
  const inFlight = new InFlight();
  const routes: Route[] = [healthRoute];
  const slack = await startSlackApp({
    slack: config.slack,
    port: config.port,
    logger,
    routes,
    ...(options.webApiRetries === undefined ? {} : { webApiRetries: options.webApiRetries }),
    deps: {
      fleet,
      userZones: new UserZones(logger, now),
      eventClaims: options.coordinator ? new SharedEventClaims(options.coordinator, now) : new MemoryEventClaims(now),
      logger,
      now,
      inFlight,
    },
  });

  const runDigest = async (): Promise<DigestRun> => {
    try {
      const run = await sendDigest({
        fleet,
        client: slack.app.client,
        channels: config.digest.channels,
        appliances,
        timeZone: config.digest.timeZone,
        now,
        logger,
        ...(options.digestSleep ? { posting: { sleep: options.digestSleep } } : {}),
      });
      options.onDigest?.(run, null);
      return run;
    } catch (error) {
      options.onDigest?.(null, error);
      throw error;
    }
  };

  const channels = planDigest(config.digest.channels, appliances).map((route) => route.channel);
  let schedule: DigestSchedule | null = null;
  if (channels.length === 0) logDigestDisabled(logger);
  else {
    schedule = startDigestSchedule({
      cron: config.digest.cron,
      timeZone: config.digest.timeZone,
      channels,
      logger,
      ...(options.coordinator ? { coordinator: options.coordinator } : {}),
      run: async () => {
        await inFlight.track(runDigest());
      },
    });
  }

  return {
    port: slack.port,
    slack,
    inFlight,
    schedule,
    runDigest: () => inFlight.track(runDigest()),
    async stop(graceMs = 10_000) {
      await schedule?.stop();
      await slack.stop();
      const finished = await inFlight.drain(graceMs);
      if (!finished) logger.warn({ left: inFlight.size }, 'stopped before all work in flight was done');
      await options.coordinator?.close();
      await fleet.close();
    },
  };
}
