/**
 * The alert watch as the running bot starts it: off without ALERT_CHANNELS, else on the state
 * store the configuration names (Redis with REDIS_URL, else the SQLite file).
 */
import type { Fleet } from '../appliances/fleet.ts';
import type { Config } from '../config/types.ts';
import type { Logger } from '../log.ts';
import { openStateStore, retryingStateStore, stateFix, stateWhere } from '../state/open.ts';
import type { StateStore } from '../state/store.ts';
import { createAlertWatch, type AlertClient, type AlertMetrics, type AlertWatch } from './watch.ts';

export interface RunningAlerts {
  readonly watch: AlertWatch;
  readonly store: StateStore;
  /** Why alerts cannot work now (the state cannot be opened or saved), for /readyz; null when they can. */
  problem(): string | null;
  /** Stops the watch and closes the store (unless it was given). */
  stop(): Promise<void>;
}

export interface AlertStartOptions {
  readonly config: Config;
  readonly fleet: Fleet;
  readonly logger: Logger;
  readonly now: () => number;
  readonly client: () => AlertClient | null;
  readonly metrics?: AlertMetrics;
  /** A store to use instead of the configured one (tests); left open at stop. */
  readonly store?: StateStore;
}

export async function openAlerts(options: AlertStartOptions): Promise<RunningAlerts | null> {
  const { config, logger } = options;
  const alerts = config.alerts;
  if (!alerts || alerts.channels.length === 0) {
    logger.info('ALERT_CHANNELS is not set: no alert watch (the digest still reports every problem daily)');
    return null;
  }
  // A state that cannot be opened yet is opened at the next watch, and the next: the bot still
  // answers and posts its digest meanwhile, and the log and /readyz say what is wrong.
  const store = options.store ?? retryingStateStore(stateWhere(config), () => openStateStore(config));
  const watch = createAlertWatch({
    fleet: options.fleet,
    store,
    channels: alerts.channels,
    everyMs: alerts.everyMs,
    logger,
    now: options.now,
    client: options.client,
    stateFix: stateFix(config),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  logger.info({ channels: alerts.channels, everyMs: alerts.everyMs, state: store.where }, 'watching the appliances for alerts');
  const owned = options.store === undefined;
  return {
    watch,
    store,
    problem: () => watch.problem(),
    async stop() {
      await watch.stop();
      if (owned) await store.close();
    },
  };
}
