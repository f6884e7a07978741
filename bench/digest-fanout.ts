/**
 * Part 4, digest fan-out: the real sendDigest to N channels against one, the fake Slack answering
 * each chat.postMessage after 50 ms. Each digest reads the appliance afresh (CACHE_TTL 0), as a
 * scheduled digest usually does, so both sides pay the read; N is larger than the production
 * posting parallelism, so the ratio shows the posting queue and not N posts side by side.
 */
import { webApi } from '@slack/bolt';
import { Fleet } from '../src/appliances/fleet.ts';
import { simulatedAppliance } from '../src/simulator/demo-appliance.ts';
import { DIGEST_POST_PARALLELISM } from '../src/digest/post.ts';
import { sendDigest } from '../src/digest/send.ts';
import { silentLogger } from '../src/log.ts';
import { slackClientOptions } from '../src/slack/app.ts';
import { demoDataset } from '../src/simulator/dataset.ts';
import { startSimulator } from '../src/simulator/server.ts';
import { BOT_TOKEN } from '../test/support/bot.ts';
import { startFakeSlack } from '../test/support/fake-slack.ts';
import { median, ms, ratio, type Row } from './lib/stats.ts';

export interface DigestSettings {
  readonly channels: number;
  readonly postDelayMs: number;
  readonly runs: number;
}

/** src/digest/post.ts posts to this many channels at once unless told otherwise. */
const PRODUCTION_PARALLELISM = DIGEST_POST_PARALLELISM;

export async function benchDigest(settings: DigestSettings, log: (line: string) => void): Promise<Row[]> {
  const slack = await startFakeSlack();
  const simulator = await startSimulator({ dataset: demoDataset({ now: Date.now() }) });
  const appliance = simulatedAppliance(simulator.url, 'bench');
  const fleet = Fleet.fromConfig([appliance], { cacheTtlMs: 0, logger: silentLogger() });
  const client = new webApi.WebClient(
    BOT_TOKEN,
    slackClientOptions({ botToken: BOT_TOKEN, signingSecret: null, appToken: null, apiUrl: slack.apiUrl }, 0, 10_000),
  );
  try {
    slack.setDefault('chat.postMessage', { delayMs: settings.postDelayMs });
    const channels = Array.from({ length: settings.channels }, (_, index) => `CBENCH${String(index).padStart(4, '0')}`);
    const run = async (to: readonly string[], parallelism?: number) => {
      const started = performance.now();
      const digest = await sendDigest({
        fleet,
        client,
        channels: to,
        appliances: [appliance],
        timeZone: 'UTC',
        now: Date.now,
        logger: silentLogger(),
        ...(parallelism === undefined ? {} : { posting: { parallelism } }),
      });
      const elapsed = performance.now() - started;
      const failed = digest.outcomes.filter((outcome) => !outcome.ok);
      if (failed.length > 0) throw new Error(`the digest failed to post to ${failed.map((f) => `${f.channel} (${f.error})`).join(', ')}`);
      return elapsed;
    };
    await run(channels.slice(0, 1)); // warm-up
    const single: number[] = [];
    const fanOut: number[] = [];
    for (let index = 0; index < settings.runs; index++) {
      single.push(await run(channels.slice(0, 1)));
      fanOut.push(await run(channels));
      log(`  digest run ${index + 1}/${settings.runs}: 1 channel ${ms(single.at(-1)!)}, ${settings.channels} channels ${ms(fanOut.at(-1)!)} (parallelism ${PRODUCTION_PARALLELISM})`);
    }
    const one = median(single);
    const defaultRatio = median(fanOut.map((value, index) => value / single[index]!));
    const floor = Math.ceil(settings.channels / PRODUCTION_PARALLELISM) * settings.postDelayMs;
    const part = `4 digest fan-out (${settings.channels} channels, Slack ${settings.postDelayMs} ms per post)`;
    return [
      { part, what: 'one channel, read + post, wall time (median)', value: ms(one) },
      { part, what: `${settings.channels} channels, read + post, parallelism ${PRODUCTION_PARALLELISM}`, value: ms(median(fanOut)) },
      { part, what: `posting floor: ${Math.ceil(settings.channels / PRODUCTION_PARALLELISM)} waves × ${settings.postDelayMs} ms`, value: ms(floor) },
      { part, what: `ratio ${settings.channels} channels/1 (median of pairs)`, value: ratio(defaultRatio), goal: '≤ 2.00×', met: defaultRatio <= 2 },
    ];
  } finally {
    await fleet.close();
    await simulator.close();
    await slack.close();
  }
}
