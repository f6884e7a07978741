/** `restorepoints demo`: the whole read path against the embedded appliance; no credentials. */
import { openFleet } from './fleet-for-command.ts';
import type { CommandIo } from './io.ts';
import { printSummary } from './summary.ts';

export async function demoCommand(flags: { json: boolean }, io: CommandIo): Promise<number> {
  const opened = await openFleet({ demo: true }, io, { appliances: false, slack: 'none' });
  if (typeof opened === 'number') return opened;
  try {
    return printSummary(await opened.fleet.summary(), flags.json, io);
  } finally {
    await opened.close();
  }
}
