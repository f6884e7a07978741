/**
 * The one factory for the Bolt app: Socket Mode when an app-level token is given, else HTTP on
 * PORT with request signing. The Web API client gets a bounded retry policy and a timeout (the
 * default retries for about 30 minutes and pauses the whole queue on a 429).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel, SocketModeReceiver } from '@slack/bolt';
import type { SlackConfig } from '../config.ts';
import { sendText, startRouteServer, type Route, type RouteServer } from '../http/routes.ts';
import type { Logger } from '../log.ts';
import { boltLogger } from './bolt-logger.ts';
import type { SlackDeps } from './deps.ts';
import { registerListeners } from './listeners/register.ts';

export interface SlackAppOptions {
  readonly slack: SlackConfig;
  readonly port: number;
  readonly deps: SlackDeps;
  readonly routes: readonly Route[];
  readonly logger: Logger;
  /** Web API retries after the first attempt (tests use 0). */
  readonly webApiRetries?: number;
  readonly webApiTimeoutMs?: number;
}

export interface RunningSlackApp {
  readonly app: App;
  readonly mode: 'socket' | 'http';
  /** The port the routes (and in HTTP mode /slack/events) are served on. */
  readonly port: number;
  /** Socket Mode: the websocket is up. HTTP mode: the server listens (Slack calls us). */
  connected(): boolean;
  /** Stops taking requests; work already acked carries on (wait for it separately). */
  stop(): Promise<void>;
}

export function slackClientOptions(slack: SlackConfig, retries = 2, timeoutMs = 10_000) {
  return {
    ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
    retryConfig: { retries, factor: 2, minTimeout: 500, maxTimeout: 4000 },
    timeout: timeoutMs,
    // A 429 is answered by the caller (the digest honours Retry-After itself); never a stalled queue.
    rejectRateLimitedCalls: true,
  };
}

export async function startSlackApp(options: SlackAppOptions): Promise<RunningSlackApp> {
  const { slack, logger } = options;
  const socketMode = slack.appToken !== null;
  const common = {
    token: slack.botToken ?? undefined,
    logger: boltLogger(logger),
    logLevel: logger.isLevelEnabled('debug') ? LogLevel.DEBUG : LogLevel.INFO,
    clientOptions: slackClientOptions(slack, options.webApiRetries, options.webApiTimeoutMs),
    ignoreSelf: true,
  };
  const routes = options.routes.map((route) => ({
    path: route.path,
    method: route.method,
    handler: (request: IncomingMessage, response: ServerResponse): void => {
      Promise.resolve(route.handler(request, response)).catch((error: unknown) => {
        logger.error({ err: error, path: route.path }, 'an HTTP route failed');
        if (!response.headersSent) sendText(response, 500, 'error\n');
      });
    },
  }));
  const socketReceiver = socketMode ? new SocketModeReceiver({ appToken: slack.appToken ?? '', logger: common.logger, logLevel: common.logLevel }) : null;
  const app = socketReceiver
    ? new App({ ...common, receiver: socketReceiver })
    : new App({ ...common, signingSecret: slack.signingSecret ?? undefined, customRoutes: routes, processBeforeResponse: false });
  registerListeners(app, options.deps);
  app.error(async (error) => {
    logger.error({ err: error }, 'a Slack listener failed');
  });

  if (socketReceiver) {
    // Health routes first: the process is alive even while Slack is unreachable.
    const routeServer: RouteServer = await startRouteServer(options.routes, options.port);
    let up = false;
    socketReceiver.client.on('connected', () => (up = true));
    socketReceiver.client.on('disconnected', () => (up = false));
    try {
      await app.start();
    } catch (error) {
      await routeServer.close();
      throw error;
    }
    logger.info({ port: routeServer.port }, 'connected to Slack in Socket Mode');
    return {
      app,
      mode: 'socket',
      port: routeServer.port,
      connected: () => up,
      stop: async () => {
        await app.stop();
        await routeServer.close();
      },
    };
  }

  const server = (await app.start(options.port)) as Server;
  const port = (server.address() as AddressInfo).port;
  logger.info({ port }, 'listening for Slack on /slack/events');
  let listening = true;
  return {
    app,
    mode: 'http',
    port,
    connected: () => listening,
    stop: async () => {
      listening = false;
      await app.stop();
    },
  };
}
