/**
 * `restorepoints serve [--demo]`: the Slack app and the digest schedule until SIGTERM/SIGINT,
 * then a graceful stop: no new requests, work in flight finishes (10 s at most), the schedule
 * stops, each appliance is logged out of, exit 0.
 */
import { startBot } from '../bot.ts';
import { connectRedisCoordinator } from '../digest/redis-coordinator.ts';
import { openFleet } from './fleet-for-command.ts';
import { EXIT, type CommandIo } from './io.ts';

export interface ServeFlags {
  readonly demo: boolean;
}

/** Resolves with the signal that asked the process to stop. */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

export async function serveCommand(flags: ServeFlags, io: CommandIo, stopped: Promise<unknown> = stopSignal()): Promise<number> {
  const opened = await openFleet(flags, io, { appliances: true, slack: 'app' });
  if (typeof opened === 'number') return opened;
  const { config, logger, fleet, appliances } = opened;
  let coordinator;
  try {
    coordinator = config.redisUrl ? await connectRedisCoordinator(config.redisUrl, logger) : undefined;
  } catch (error) {
    logger.error((error as Error).message);
    await opened.close();
    return EXIT.failed;
  }
  let bot;
  try {
    bot = await startBot({
      config,
      fleet,
      logger,
      appliances,
      ...(coordinator ? { coordinator } : {}),
    });
  } catch (error) {
    logger.error({ reason: (error as Error).message }, 'could not start the Slack app (check SLACK_BOT_TOKEN, SLACK_APP_TOKEN and the network)');
    await coordinator?.close();
    await opened.close();
    return EXIT.failed;
  }
  logger.info({ mode: bot.slack.mode, port: bot.port, appliances: fleet.readers.map((reader) => reader.name), demo: flags.demo }, 'restorepoints is running');
  const signal = await stopped;
  logger.info({ signal }, 'stopping: finishing the work in flight');
  await bot.stop(10_000);
  await opened.close();
  logger.info('stopped');
  return EXIT.ok;
}
