/**
 * `restorepoints serve [--demo]`: the Slack app and the digest schedule until SIGTERM/SIGINT,
 * then a graceful stop: no new requests, work in flight finishes (10 s at most), the schedule
 * stops, each appliance is logged out of, exit 0.
 */
import { LOGOUT_TIMEOUT_MS, startBot } from '../bot.ts';
import { settledWithin } from '../lib/timeout.ts';
import { startRedisCoordinator } from '../digest/redis-coordinator.ts';
import { createMetrics } from '../metrics.ts';
import { lifecycleLogger, type Logger } from '../log.ts';
import { openFleet } from './fleet-for-command.ts';
import { EXIT, processIo, type CommandIo } from './io.ts';

export interface ServeFlags {
  readonly demo: boolean;
}

/** Answers and a running digest get this long to finish after a stop signal. */
export const SHUTDOWN_GRACE_MS = 10_000;

/**
 * After a clean stop the process ends by itself once nothing holds the event loop. If a
 * library still holds it (a socket nobody closed), the process is ended this much later
 * rather than lingering until the orchestrator kills it.
 */
const EXIT_GUARD_MS = 3_000;

/** Resolves with the signal that asked the process to stop. A second signal ends the process at once. */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      const again = (second: NodeJS.Signals) => {
        process.stderr.write(`restorepoints: ${second} again during the shutdown: stopping at once\n`);
        process.exit(EXIT.failed);
      };
      process.once('SIGTERM', again);
      process.once('SIGINT', again);
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

export async function serveCommand(flags: ServeFlags, io: CommandIo, stopped: Promise<unknown> = stopSignal()): Promise<number> {
  const metrics = createMetrics({ now: io.now });
  const opened = await openFleet(flags, io, { appliances: true, slack: 'app' }, { useCacheTtl: true, onReading: metrics.onReading });
  if (typeof opened === 'number') return opened;
  const { config, logger, fleet, appliances } = opened;
  // A library promise nobody awaits (the Socket Mode client giving up on a reconnection) must not
  // end the process silently: say so; readiness already reports Slack as disconnected.
  if (io === processIo) {
    process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'an operation failed outside any request'));
  }
  // A Redis that cannot be reached does not stop the replica: it starts uncoordinated, says so
  // in its log and /readyz, and connects when Redis is back.
  const coordinator = config.redisUrl ? await startRedisCoordinator(config.redisUrl, logger) : undefined;
  // Socket Mode keeps trying to reach Slack inside startBot: a stop signal meanwhile must not wait for it.
  const starting = startBot({
    config,
    fleet,
    logger,
    appliances,
    metrics,
    ...(coordinator ? { coordinator } : {}),
  });
  const first = await Promise.race([
    starting.then(
      (started) => ({ started }),
      (error: unknown) => ({ error }),
    ),
    stopped.then((signal) => ({ signal })),
  ]);
  if (!('started' in first)) {
    if ('error' in first) {
      logger.error(
        { reason: (first.error as Error).message },
        'could not start the Slack app (check SLACK_BOT_TOKEN, SLACK_APP_TOKEN and the network; `restorepoints check` says more)',
      );
    } else {
      logger.info({ signal: first.signal }, 'stopping before the Slack connection was up');
      void starting.then((late) => late.stop(1000)).catch(() => undefined);
    }
    await coordinator?.close();
    await settledWithin(opened.close(), LOGOUT_TIMEOUT_MS);
    exitGuard(io, logger);
    return 'error' in first ? EXIT.failed : EXIT.ok;
  }
  const bot = first.started;
  const lifecycle = lifecycleLogger(logger);
  lifecycle.info(
    { mode: bot.slack.mode, port: bot.port, appliances: fleet.readers.map((reader) => reader.name), demo: flags.demo, routes: ['/healthz', '/readyz', '/metrics'] },
    'restorepoints is running',
  );
  const signal = await stopped;
  lifecycle.info({ signal, graceMs: SHUTDOWN_GRACE_MS }, 'stopping: no new requests; finishing the work in flight');
  await bot.stop(SHUTDOWN_GRACE_MS);
  // Already logged out by the bot; this ends the demo appliance. A read still stuck on an
  // appliance is not waited for again.
  await settledWithin(opened.close(), LOGOUT_TIMEOUT_MS);
  lifecycle.info('stopped');
  exitGuard(io, logger);
  return EXIT.ok;
}

function exitGuard(io: CommandIo, logger: Logger): void {
  if (io !== processIo) return;
  setTimeout(() => {
    logger.warn('something still held the process after the shutdown; exiting anyway');
    process.exit(EXIT.ok);
  }, EXIT_GUARD_MS).unref();
}
