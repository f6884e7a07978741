/**
 * `restorepoints digest [--json] [--post]`: build the digest; print it, or post it now. With
 * --post the exit status is non-zero when a channel failed or an appliance could not be read,
 * after posting what could be posted: usable from a Kubernetes CronJob instead of `serve`.
 */
import { webApi } from '@slack/bolt';
import { savedSnoozes } from '../alerts/saved-snoozes.ts';
import { planDigest } from '../digest/plan.ts';
import { sendDigest } from '../digest/send.ts';
import { slackClientOptions } from '../slack/app.ts';
import { boltLogger } from '../slack/bolt-logger.ts';
import { renderDigest } from '../slack/blocks/digest.ts';
import { renderDigestText } from '../terminal/digest-text.ts';
import { openFleet } from './fleet-for-command.ts';
import { EXIT, terminalTimeZone, type CommandIo } from './io.ts';

export interface DigestFlags {
  readonly json: boolean;
  readonly post: boolean;
  readonly demo: boolean;
}

export async function digestCommand(flags: DigestFlags, io: CommandIo): Promise<number> {
  const opened = await openFleet(flags, io, { appliances: true, slack: flags.post ? 'bot' : 'none' });
  if (typeof opened === 'number') return opened;
  const { fleet, config, logger, appliances } = opened;
  try {
    const snoozed = await savedSnoozes(config, io.now(), logger);
    if (!flags.post) {
      const summary = await fleet.summary();
      const zone = flags.json ? config.digest.timeZone : terminalTimeZone(io);
      io.stdout.write(flags.json ? `${JSON.stringify(renderDigest(summary, io.now(), zone, snoozed), null, 2)}\n` : `${renderDigestText(summary, zone, snoozed)}\n`);
      const unreadable = summary.appliances.filter((a) => a.error);
      for (const appliance of unreadable) io.stderr.write(`✗ ${appliance.name}: ${appliance.error}\n`);
      return unreadable.length ? EXIT.failed : EXIT.ok;
    }
    if (planDigest(config.digest.channels, appliances).length === 0) {
      io.stderr.write('Nothing to post to: set DIGEST_CHANNELS to a comma-separated list of channel IDs (e.g. C0123ABCD).\n');
      return EXIT.config;
    }
    // Through the app's logger: the SDK's own console logger would bypass the censoring.
    const client = new webApi.WebClient(config.slack.botToken ?? undefined, { ...slackClientOptions(config.slack), logger: boltLogger(logger) });
    const run = await sendDigest({
      fleet,
      client,
      channels: config.digest.channels,
      appliances,
      timeZone: config.digest.timeZone,
      now: io.now,
      logger,
      snoozed,
    });
    io.stdout.write(`${renderDigestText(run.summary, terminalTimeZone(io), snoozed)}\n\n`);
    for (const outcome of run.outcomes) {
      io.stdout.write(outcome.ok ? `✓ posted to ${outcome.channel}\n` : `✗ ${outcome.channel}: ${outcome.error} — ${outcome.fix}\n`);
    }
    for (const name of run.unreadable) io.stderr.write(`✗ ${name} could not be read (the digest says so)\n`);
    const failed = run.outcomes.some((outcome) => !outcome.ok) || run.unreadable.length > 0;
    return failed ? EXIT.failed : EXIT.ok;
  } finally {
    await opened.close();
  }
}
