/** `restorepoints summary [--json]`: read the configured appliances, print the summary. */
import { Fleet } from '../appliances/fleet.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { toSummaryJson, type Summary } from '../restore-points/summary.ts';
import { renderSummaryTable } from '../terminal/summary-table.ts';
import { commandLogger, EXIT, terminalTimeZone, type CommandIo } from './io.ts';

export interface SummaryFlags {
  readonly json: boolean;
}

export function printSummary(summary: Summary, flags: SummaryFlags, io: CommandIo): number {
  io.stdout.write(flags.json ? `${JSON.stringify(toSummaryJson(summary), null, 2)}\n` : `${renderSummaryTable(summary, terminalTimeZone(io))}\n`);
  const failed = summary.appliances.filter((appliance) => appliance.error);
  for (const appliance of failed) io.stderr.write(`✗ ${appliance.name}: ${appliance.error}\n`);
  return failed.length > 0 ? EXIT.failed : EXIT.ok;
}

export async function summaryCommand(flags: SummaryFlags, io: CommandIo): Promise<number> {
  let config;
  try {
    config = loadConfig(io.env, { appliances: true, slack: 'none' });
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`${error.message}\n`);
      return EXIT.config;
    }
    throw error;
  }
  const logger = commandLogger(io, config.logLevel);
  for (const warning of config.warnings) logger.warn(warning);
  const fleet = Fleet.fromConfig(config.appliances, { cacheTtlMs: 0, logger, now: io.now });
  try {
    return printSummary(await fleet.summary(), flags, io);
  } finally {
    await fleet.close();
  }
}
