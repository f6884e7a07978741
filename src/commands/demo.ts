/** `restorepoints demo`: the whole read path against the embedded appliance; no credentials. */
import { Fleet } from '../appliances/fleet.ts';
import { startDemoAppliance } from '../demo-appliance.ts';
import { commandLogger, type CommandIo } from './io.ts';
import { printSummary } from './summary.ts';

export async function demoCommand(flags: { json: boolean }, io: CommandIo): Promise<number> {
  const logger = commandLogger(io, undefined, 'warn');
  const demo = await startDemoAppliance(io.now());
  const fleet = Fleet.fromConfig([demo.appliance], { cacheTtlMs: 0, logger, now: io.now });
  try {
    if (!flags.json) io.stderr.write(`Reading the embedded demo appliance at ${demo.appliance.url} …\n\n`);
    return printSummary(await fleet.summary(), flags, io);
  } finally {
    await fleet.close();
    await demo.close();
  }
}
