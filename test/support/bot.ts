/**
 * The real bot for end-to-end tests: Bolt on its HTTP receiver (port 0), a fake Slack behind
 * SLACK_API_URL, and the embedded simulator as the appliance.
 */
import { Fleet } from '../../src/appliances/fleet.ts';
import { startBot, type Bot, type BotOptions } from '../../src/bot.ts';
import type { ApplianceConfig, Config } from '../../src/config/load.ts';
import { silentLogger, type Logger } from '../../src/log.ts';
import { simulatedAppliance } from '../../src/simulator/demo-appliance.ts';
import type { Simulator } from '../../src/simulator/server.ts';
import type { FakeSlack } from './fake-slack.ts';
import { postSigned, type PostSignedResult } from './slack-signing.ts';
import { FAST_RETRY } from './veeam.ts';

export const SIGNING_SECRET = 'test-signing-secret-4f1d2c';
export const BOT_TOKEN = 'xoxb-test-bot-token-7c2e91';

export function applianceFor(simulator: Simulator, name = 'weu', overrides: Partial<ApplianceConfig> = {}): ApplianceConfig {
  return simulatedAppliance(simulator.url, name, overrides);
}

export function testConfig(slack: FakeSlack, appliances: readonly ApplianceConfig[], overrides: Partial<Config> = {}): Config {
  return {
    appliances,
    slack: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, appToken: null, apiUrl: slack.apiUrl },
    port: 0,
    digest: { channels: [], cron: '0 8 * * *', timeZone: 'UTC' },
    cacheTtlMs: 0,
    failureWindowMs: 86_400_000,
    logLevel: 'info',
    redisUrl: null,
    warnings: [],
    ...overrides,
  };
}

export function testFleet(config: Config, logger: Logger = silentLogger(), now?: () => number): Fleet {
  return Fleet.fromConfig(config.appliances, {
    cacheTtlMs: config.cacheTtlMs,
    failureWindowMs: config.failureWindowMs,
    logger,
    ...(now ? { now } : {}),
    client: { requestTimeoutMs: 5000, retry: FAST_RETRY },
  });
}

export interface RunningTestBot {
  readonly bot: Bot;
  readonly fleet: Fleet;
  readonly eventsUrl: string;
  post(body: string, contentType: 'application/x-www-form-urlencoded' | 'application/json', options?: { timestampSeconds?: number; headers?: Record<string, string>; secret?: string }): Promise<PostSignedResult>;
  stop(): Promise<void>;
}

export async function startTestBot(config: Config, options: Partial<BotOptions> = {}): Promise<RunningTestBot> {
  const logger = options.logger ?? silentLogger();
  const fleet = options.fleet ?? testFleet(config, logger, options.now);
  const bot = await startBot({ config, fleet, logger, webApiRetries: 0, ...options });
  const eventsUrl = `http://127.0.0.1:${bot.port}/slack/events`;
  return {
    bot,
    fleet,
    eventsUrl,
    post: (body, contentType, postOptions = {}) =>
      postSigned(eventsUrl, body, contentType, {
        secret: postOptions.secret ?? SIGNING_SECRET,
        ...(postOptions.timestampSeconds === undefined ? {} : { timestampSeconds: postOptions.timestampSeconds }),
        ...(postOptions.headers ? { headers: postOptions.headers } : {}),
      }),
    stop: () => bot.stop(2000),
  };
}
