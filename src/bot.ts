/**
 * The running bot: the Slack app, its HTTP routes and the digest schedule around one fleet of
 * appliances. `serve` starts it; end-to-end tests start it in-process against fakes.
 */
import type { Fleet } from './appliances/fleet.ts';
import type { Config } from './config.ts';
import { healthRoute, type Route } from './http/routes.ts';
import { InFlight } from './in-flight.ts';
import type { Logger } from './log.ts';
import { startSlackApp, type RunningSlackApp } from './slack/app.ts';
import { MemoryEventClaims, type EventClaims } from './slack/event-deduplication.ts';
import { UserZones } from './slack/user-zones.ts';

export interface BotOptions {
  readonly config: Config;
  readonly fleet: Fleet;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Web API retries after the first attempt (tests use 0). */
  readonly webApiRetries?: number;
  readonly eventClaims?: EventClaims;
}

export interface Bot {
  readonly port: number;
  readonly slack: RunningSlackApp;
  readonly inFlight: InFlight;
  /** Stop taking requests, let work in flight finish (bounded), close the appliances. */
  stop(graceMs?: number): Promise<void>;
}

export async function startBot(options: BotOptions): Promise<Bot> {
  const { config, fleet, logger } = options;
  const now = options.now ?? Date.now;
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
      eventClaims: options.eventClaims ?? new MemoryEventClaims(now),
      logger,
      now,
      inFlight,
    },
  });
  return {
    port: slack.port,
    slack,
    inFlight,
    async stop(graceMs = 10_000) {
      await slack.stop();
      const finished = await inFlight.drain(graceMs);
      if (!finished) logger.warn({ left: inFlight.size }, 'stopped before all answers were sent');
      await fleet.close();
    },
  };
}
