/** `restorepoints summary [--json]`: read the configured appliances, print the summary. */
import { toSummaryJson, type Summary } from '../restore-points/summary.ts';
import { renderSummaryTable } from '../terminal/summary-table.ts';
import { openFleet } from './fleet-for-command.ts';
import { EXIT, terminalTimeZone, type CommandIo } from './io.ts';

export interface SummaryFlags {
  readonly json: boolean;
  readonly demo: boolean;
}

export function printSummary(summary: Summary, json: boolean, io: CommandIo): number {
  io.stdout.write(json ? `${JSON.stringify(toSummaryJson(summary), null, 2)}\n` : `${renderSummaryTable(summary, terminalTimeZone(io))}\n`);
  const failed = summary.appliances.filter((appliance) => appliance.error);
  for (const appliance of failed) io.stderr.write(`✗ ${appliance.name}: ${appliance.error}\n`);
  return failed.length > 0 ? EXIT.failed : EXIT.ok;
}

export async function summaryCommand(flags: SummaryFlags, io: CommandIo): Promise<number> {
  const opened = await openFleet(flags, io);
  if (typeof opened === 'number') return opened;
  try {
    return printSummary(await opened.fleet.summary(), flags.json, io);
  } finally {
    await opened.close();
  }
}
