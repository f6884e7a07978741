/** The appliances a command reads: the configured ones, or the embedded demo appliance. */
import { Fleet } from '../appliances/fleet.ts';
import type { ApplianceReading } from '../appliances/reader.ts';
import { ConfigError, loadConfig, type ApplianceConfig, type Config, type ConfigNeeds } from '../config/load.ts';
import { startDemoAppliance } from '../simulator/demo-appliance.ts';
import type { Logger } from '../log.ts';
import { EXIT, loggerFor, type CommandIo } from './io.ts';

export interface OpenedFleet {
  readonly fleet: Fleet;
  /** What the fleet reads: the configured appliances, or the demo one. */
  readonly appliances: readonly ApplianceConfig[];
  readonly config: Config;
  readonly logger: Logger;
  close(): Promise<void>;
}

export interface FleetTuning {
  /** Reuse readings for CACHE_TTL (serve); one-shot commands read afresh. */
  readonly useCacheTtl?: boolean;
  /** Told about every finished read (metrics). */
  readonly onReading?: (reading: ApplianceReading) => void;
}

/** Loads the configuration (reporting its problems) and opens the appliances; an exit status on failure. */
export async function openFleet(
  flags: { demo: boolean },
  io: CommandIo,
  needs: ConfigNeeds = { appliances: true, slack: 'none' },
  tuning: FleetTuning = {},
): Promise<OpenedFleet | number> {
  let config: Config;
  try {
    config = loadConfig(io.env, { ...needs, appliances: needs.appliances && !flags.demo });
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`${error.message}\n`);
      return EXIT.config;
    }
    throw error;
  }
  const logger = loggerFor(config, io, flags.demo ? 'warn' : 'info');
  for (const warning of config.warnings) logger.warn(warning);
  const demo = flags.demo ? await startDemoAppliance(io.now()) : null;
  const appliances = demo ? [demo.appliance] : config.appliances;
  const fleet = Fleet.fromConfig(appliances, {
    cacheTtlMs: tuning.useCacheTtl ? config.cacheTtlMs : 0,
    failureWindowMs: config.failureWindowMs,
    logger,
    now: io.now,
    ...(tuning.onReading ? { onReading: tuning.onReading } : {}),
  });
  return {
    fleet,
    appliances,
    config,
    logger,
    close: async () => {
      await fleet.close();
      await demo?.close();
    },
  };
}
