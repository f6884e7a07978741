/** `restorepoints demo`: the whole read path against the embedded appliance, printed as the digest; no credentials. */
import { renderDigestText } from '../terminal/digest-text.ts';
import { openFleet } from './fleet-for-command.ts';
import { EXIT, terminalTimeZone, type CommandIo } from './io.ts';
import { printSummary } from './summary.ts';

export async function demoCommand(flags: { json: boolean }, io: CommandIo): Promise<number> {
  const opened = await openFleet({ demo: true }, io, { appliances: false, slack: 'none' });
  if (typeof opened === 'number') return opened;
  try {
    const summary = await opened.fleet.summary();
    if (flags.json) return printSummary(summary, true, io);
    io.stdout.write(`${renderDigestText(summary, terminalTimeZone(io))}\n\n`);
    io.stdout.write('This is the embedded demo appliance. Try: restorepoints query --demo vm-erp · restorepoints serve --demo\n');
    return summary.appliances.some((appliance) => appliance.error) ? EXIT.failed : EXIT.ok;
  } finally {
    await opened.close();
  }
}
