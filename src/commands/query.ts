/** `restorepoints query [WORDS…] [--json]`: what `/restorepoints WORDS` would answer. */
import { ask } from '../appliances/ask.ts';
import { renderAnswer } from '../slack/blocks/answer.ts';
import { renderAnswerText } from '../terminal/answer-text.ts';
import { openFleet } from './fleet-for-command.ts';
import { EXIT, terminalTimeZone, type CommandIo } from './io.ts';

export async function queryCommand(words: readonly string[], flags: { json: boolean; demo: boolean }, io: CommandIo): Promise<number> {
  const opened = await openFleet(flags, io);
  if (typeof opened === 'number') return opened;
  const zone = terminalTimeZone(io);
  try {
    // The command exits after answering: an appliance it stopped waiting for is not read on.
    const { answer } = await ask(words.join(' '), { fleet: opened.fleet, now: io.now, readOn: false, timeZone: async () => zone });
    io.stdout.write(flags.json ? `${JSON.stringify(renderAnswer(answer), null, 2)}\n` : `${renderAnswerText(answer, zone)}\n`);
    const failed = 'summary' in answer ? answer.summary.appliances.filter((a) => a.error) : [];
    for (const appliance of failed) io.stderr.write(`✗ ${appliance.name}: ${appliance.error}\n`);
    return failed.length > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    await opened.close();
  }
}
