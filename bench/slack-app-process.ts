/**
 * A Bolt app on its HTTP receiver, alone in its process, for the ack-latency comparison:
 *
 * - `bot`: the real bot (startBot, as test/support/bot.ts starts it) reading the simulator;
 * - `bare`: a bare Bolt app whose /restorepoints handler only acks.
 *
 * Both talk to the same fake Slack (in the parent) and use the same signing secret and token.
 */
import { App, LogLevel } from '@slack/bolt';
import type { Config } from '../src/config/load.ts';
import { simulatedAppliance } from '../src/simulator/demo-appliance.ts';
import { BOT_TOKEN, SIGNING_SECRET, startTestBot } from '../test/support/bot.ts';
import { childOptions, tellParent } from './lib/child.ts';

export interface SlackAppProcessOptions {
  readonly mode: 'bot' | 'bare';
  readonly slackApiUrl: string;
  readonly simulatorUrl: string;
  readonly cacheTtlMs: number;
}

export type SlackAppProcessMessage = { readonly type: 'ready'; readonly port: number };

const options = childOptions<SlackAppProcessOptions>();

async function startBare(): Promise<{ port: number; stop(): Promise<void> }> {
  const app = new App({
    token: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    clientOptions: { slackApiUrl: options.slackApiUrl },
    processBeforeResponse: false,
    logLevel: LogLevel.ERROR,
  });
  app.command('/restorepoints', async ({ ack }) => {
    await ack();
  });
  const server = (await app.start(0)) as { address(): unknown };
  const address = server.address() as { port: number };
  return { port: address.port, stop: () => app.stop() as Promise<void> };
}

async function startRealBot(): Promise<{ port: number; stop(): Promise<void> }> {
  const config: Config = {
    appliances: [simulatedAppliance(options.simulatorUrl, 'bench')],
    slack: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, appToken: null, apiUrl: options.slackApiUrl },
    port: 0,
    digest: { channels: [], cron: '0 8 * * *', timeZone: 'UTC' },
    cacheTtlMs: options.cacheTtlMs,
    failureWindowMs: 86_400_000,
    logLevel: 'error',
    redisUrl: null,
    warnings: [],
  };
  const running = await startTestBot(config);
  return { port: running.bot.port, stop: () => running.stop() };
}

const app = options.mode === 'bot' ? await startRealBot() : await startBare();
process.on('disconnect', () => {
  void app.stop().finally(() => process.exit(0));
});
await tellParent({ type: 'ready', port: app.port } satisfies SlackAppProcessMessage);
